// Columnar batches of request records: written in a Worker, transferred to the main thread as three
// typed-array buffers (no per-record objects cross threads; docs/runtime-facts.md §3: ~40M records/s), read
// back into RequestRecord objects there. Strings (error messages, adapter names) go in a small
// per-batch table, each distinct string once.
import { type FailureKind, failureKinds, type MediaInstance, type RequestRecord } from "../record/record.ts";

// Int32 columns per record.
const I_STAGE = 0;
const I_WORKER = 1;
const I_INDEX = 2;
const I_STATUS = 3;
const I_FAILURE = 4; // index into failureKinds, -1 for success
const I_FLAGS = 5; // bit 0 streamed, bit 1 prompt tokens from server, bits 2-3 connection, bit 4 resent, bit 5 output JSON checked, bit 6 it was valid, bit 7 cached tokens reported
const I_PROMPT = 6;
const I_CACHED = 7;
const I_CLIENT_OUT = 8;
const I_SERVER_OUT = 9;
const I_REQ_BYTES = 10;
const I_ERROR = 11; // string table index, -1 for ""
const I_ADAPTER = 12; // string table index, -1 for null
const I_TOKENS_AT = 13; // first token time in the tokens column
const I_TOKENS_N = 14;
const I_SERVER_CLOSES = 15;
const I_MEDIA = 16; // string table index of the media instances as JSON, -1 for a text-only request
const I_SESSION = 17; // session number, -1 for none
const I_ATTEMPTS = 18;
const INTS = 19;
// Float64 columns per record.
const F_SCHEDULED = 0;
const F_SENT = 1;
const F_HEADERS = 2;
const F_END = 3;
const F_CONNECT = 4;
const F_LAST_ATTEMPT = 5;
const FLOATS = 6;

// RequestRecord.connection as two flag bits (0 none, 1 new, 2 reused).
const connectionCodes = { none: 0, new: 1, reused: 2 } as const;
const connections = ["none", "new", "reused"] as const;

/** What crosses the thread boundary; every array's buffer is transferred. */
export interface RecordBatch {
  count: number;
  ints: Int32Array;
  floats: Float64Array;
  tokens: Float64Array;
  strings: string[];
}

export class BatchWriter {
  #count = 0;
  #ints: Int32Array;
  #floats: Float64Array;
  #tokens: Float64Array;
  #tokenCount = 0;
  #strings: string[] = [];
  #stringIds = new Map<string, number>();
  readonly capacity: number;

  constructor(capacity = 1024) {
    this.capacity = capacity;
    this.#ints = new Int32Array(capacity * INTS);
    this.#floats = new Float64Array(capacity * FLOATS);
    this.#tokens = new Float64Array(capacity * 16);
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count >= this.capacity;
  }

  add(r: RequestRecord): void {
    if (this.full) throw new RangeError("BatchWriter is full: take() it first");
    const i = this.#count++ * INTS;
    const f = (this.#count - 1) * FLOATS;
    const ints = this.#ints;
    ints[i + I_STAGE] = r.stageId;
    ints[i + I_WORKER] = r.workerId;
    ints[i + I_INDEX] = r.index;
    ints[i + I_STATUS] = r.status;
    ints[i + I_FAILURE] = r.failure === null ? -1 : failureKinds.indexOf(r.failure);
    ints[i + I_FLAGS] =
      (r.streamed ? 1 : 0) |
      (r.promptTokensSource === "server" ? 2 : 0) |
      (connectionCodes[r.connection] << 2) |
      (r.resent ? 16 : 0) |
      (r.outputJson === undefined ? 0 : r.outputJson === "valid" ? 96 : 32) |
      (r.cacheReported ? 128 : 0);
    ints[i + I_PROMPT] = r.promptTokens;
    ints[i + I_CACHED] = r.cachedPromptTokens;
    ints[i + I_CLIENT_OUT] = r.clientOutputTokens;
    ints[i + I_SERVER_OUT] = r.serverOutputTokens;
    ints[i + I_REQ_BYTES] = r.requestBytes;
    ints[i + I_ERROR] = r.errorMessage === "" ? -1 : this.#stringId(r.errorMessage);
    ints[i + I_ADAPTER] = r.adapter === null ? -1 : this.#stringId(r.adapter);
    ints[i + I_TOKENS_AT] = this.#tokenCount;
    ints[i + I_TOKENS_N] = r.tokenEventMs.length;
    ints[i + I_SERVER_CLOSES] = r.serverCloses;
    ints[i + I_MEDIA] = r.media === null ? -1 : this.#mediaId(r.media);
    ints[i + I_SESSION] = r.session;
    ints[i + I_ATTEMPTS] = r.attempts;
    const floats = this.#floats;
    floats[f + F_SCHEDULED] = r.scheduledMs;
    floats[f + F_SENT] = r.sentMs;
    floats[f + F_HEADERS] = r.headersMs;
    floats[f + F_END] = r.endMs;
    floats[f + F_CONNECT] = r.connectMs;
    floats[f + F_LAST_ATTEMPT] = r.lastAttemptMs;
    this.#appendTokens(r.tokenEventMs);
  }

  /** The batch so far (exact-size copies, ready to transfer), or null when empty; the writer restarts. */
  take(): RecordBatch | null {
    if (this.#count === 0) return null;
    const batch: RecordBatch = {
      count: this.#count,
      ints: this.#ints.slice(0, this.#count * INTS),
      floats: this.#floats.slice(0, this.#count * FLOATS),
      tokens: this.#tokens.slice(0, this.#tokenCount),
      strings: this.#strings,
    };
    this.#count = 0;
    this.#tokenCount = 0;
    this.#strings = [];
    this.#stringIds.clear();
    return batch;
  }

  #stringId(s: string): number {
    // Long server error bodies are cut: the report needs the gist, not megabytes per failure.
    const text = s.length > 500 ? `${s.slice(0, 500)}…` : s;
    let id = this.#stringIds.get(text);
    if (id === undefined) {
      id = this.#strings.push(text) - 1;
      this.#stringIds.set(text, id);
    }
    return id;
  }

  /** Media lists go in whole (never cut), one table entry per distinct list. */
  #mediaId(media: readonly MediaInstance[]): number {
    const json = JSON.stringify(media);
    let id = this.#stringIds.get(json);
    if (id === undefined) {
      id = this.#strings.push(json) - 1;
      this.#stringIds.set(json, id);
    }
    return id;
  }

  #appendTokens(times: readonly number[]): void {
    const need = this.#tokenCount + times.length;
    if (need > this.#tokens.length) {
      const grown = new Float64Array(Math.max(need, this.#tokens.length * 2));
      grown.set(this.#tokens.subarray(0, this.#tokenCount));
      this.#tokens = grown;
    }
    for (let k = 0; k < times.length; k++) this.#tokens[this.#tokenCount++] = times[k]!;
  }
}

/** The buffers to list as transferables when posting a batch. */
export function batchTransferables(batch: RecordBatch): ArrayBuffer[] {
  return [batch.ints.buffer, batch.floats.buffer, batch.tokens.buffer] as ArrayBuffer[];
}

const noEvents: readonly number[] = [];

/** Rebuild the records of a batch (main thread). */
export function readBatch(batch: RecordBatch): RequestRecord[] {
  const out: RequestRecord[] = new Array(batch.count);
  const { ints, floats, tokens, strings } = batch;
  const media = new Map<number, readonly MediaInstance[]>();
  const mediaAt = (id: number) => {
    let list = media.get(id);
    if (list === undefined) media.set(id, (list = JSON.parse(strings[id]!) as MediaInstance[]));
    return list;
  };
  for (let r = 0; r < batch.count; r++) {
    const i = r * INTS;
    const f = r * FLOATS;
    const failure = ints[i + I_FAILURE]!;
    const error = ints[i + I_ERROR]!;
    const adapter = ints[i + I_ADAPTER]!;
    const at = ints[i + I_TOKENS_AT]!;
    const n = ints[i + I_TOKENS_N]!;
    const flags = ints[i + I_FLAGS]!;
    // Copied by hand: Array.from over a subarray cost this loop more than the rest of the record
    // together (a view object and a generic iteration per record), and a record without token
    // events shares one empty list (nothing on the main thread writes to it).
    let tokenEventMs: readonly number[] = noEvents;
    if (n > 0) {
      const events: number[] = [];
      for (let k = at; k < at + n; k++) events.push(tokens[k]!);
      tokenEventMs = events;
    }
    const record: RequestRecord = {
      stageId: ints[i + I_STAGE]!,
      workerId: ints[i + I_WORKER]!,
      index: ints[i + I_INDEX]!,
      scheduledMs: floats[f + F_SCHEDULED]!,
      sentMs: floats[f + F_SENT]!,
      headersMs: floats[f + F_HEADERS]!,
      endMs: floats[f + F_END]!,
      tokenEventMs,
      streamed: (flags & 1) !== 0,
      status: ints[i + I_STATUS]!,
      failure: failure < 0 ? null : (failureKinds[failure] as FailureKind),
      errorMessage: error < 0 ? "" : strings[error]!,
      promptTokens: ints[i + I_PROMPT]!,
      promptTokensSource: (flags & 2) !== 0 ? "server" : "client",
      cachedPromptTokens: ints[i + I_CACHED]!,
      cacheReported: (flags & 128) !== 0,
      clientOutputTokens: ints[i + I_CLIENT_OUT]!,
      serverOutputTokens: ints[i + I_SERVER_OUT]!,
      requestBytes: ints[i + I_REQ_BYTES]!,
      adapter: adapter < 0 ? null : strings[adapter]!,
      connection: connections[(flags >> 2) & 3]!,
      connectMs: floats[f + F_CONNECT]!,
      resent: (flags & 16) !== 0,
      serverCloses: ints[i + I_SERVER_CLOSES]!,
      attempts: ints[i + I_ATTEMPTS]!,
      lastAttemptMs: floats[f + F_LAST_ATTEMPT]!,
      media: ints[i + I_MEDIA]! < 0 ? null : mediaAt(ints[i + I_MEDIA]!),
      session: ints[i + I_SESSION]!,
    };
    if ((flags & 32) !== 0) record.outputJson = (flags & 64) !== 0 ? "valid" : "invalid";
    out[r] = record;
  }
  return out;
}
