// Columnar batches of ready-to-send requests: written by a builder Worker, transferred (never copied)
// to its sending Worker, which takes them in order. A batch is one buffer of UTF-8 bodies back to back,
// one Int32 column block, and a small table of the strings (adapter names, build errors, media), each
// distinct string once; no per-request object crosses the threads.

// Int32 columns per request.
const I_END = 0; // end offset of the body in `bytes`
const I_TOKENS = 1; // client prompt token count
const I_HASH = 2; // FNV-1a of the body (for the sequence fingerprint)
const I_ADAPTER = 3; // string table index, -1 for the base model
const I_ERROR = 4; // string table index, -1 when the request was built
const I_MEDIA = 5; // string table index of the media instances as JSON, -1 for a text-only request
const INTS = 6;

/** What crosses from a builder to its sender; `bytes` and `ints` are transferred. */
export interface ReadyBatch {
  stageId: number;
  /** Position in the stage slice (k) of the batch's first request; the rest follow in order. */
  first: number;
  count: number;
  bytes: ArrayBuffer;
  ints: Int32Array;
  strings: string[];
  /** Time the builder spent building these requests, ms (for the rate it sustains). */
  buildMs: number;
  /** `bytes` is one of the builder's working buffers: send it back once every request is done. */
  recycle: boolean;
}

/** One request ready to send. `body` is a view into its batch's bytes (never modified). */
export interface ReadyRequest {
  body: Uint8Array;
  promptTokens: number;
  hash: number;
  adapter: string | null;
  /** Why it could not be built (a generator bug or bad data): it is recorded as a failure. */
  error: string | null;
  /** The media in the body, for the record; null for a text-only request. */
  media: readonly MediaInstance[] | null;
  /** Its batch's buffer; ReadyQueue.release(request) when the request is finished with it. */
  lease: Lease;
}

/** A batch's buffer on loan to its requests: back to the builder when the last one is released. */
interface Lease {
  left: number;
  readonly bytes: ArrayBuffer;
  readonly recycle: boolean;
}

import type { ByteSink } from "../data/prompt-bytes.ts";
import type { MediaInstance } from "../record/record.ts";

const encoder = new TextEncoder();

/** Working buffers a builder keeps for reuse (each at least its current size); more are let go. */
const SPARE_MAX = 8;

export class ReadyBatchWriter {
  #count = 0;
  #used = 0;
  #bytes: Uint8Array;
  #ints: Int32Array;
  #strings: string[] = [];
  #stringIds = new Map<string, number>();
  /**
   * Buffers back from the sender. Reusing them matters: a fresh buffer for every batch (hundreds of
   * KB at 512-token prompts) was page-faulted in and purged again, which cost the builder and the
   * allocator's scavenger more CPU than building the requests.
   */
  #spare: ArrayBuffer[] = [];
  /** The sink `begin()` hands out: the working buffer, grown in place as a body is written. */
  #sink: ByteSink = {
    bytes: new Uint8Array(0),
    at: 0,
    room(n) {
      if (this.at + n > this.bytes.length) this.bytes = grow(this.bytes, this.at + n, this.at);
    },
  };

  constructor(initialBytes = 64 * 1024, initialCount = 64) {
    this.#bytes = new Uint8Array(initialBytes);
    this.#ints = new Int32Array(initialCount * INTS);
  }

  /** A working buffer the sender has finished with (ReadyBatch.recycle). */
  recycle(bytes: ArrayBuffer): void {
    if (this.#spare.length < SPARE_MAX && bytes.byteLength >= this.#bytes.length) this.#spare.push(bytes);
  }

  get count(): number {
    return this.#count;
  }

  /** Body bytes held so far. */
  get bytes(): number {
    return this.#used;
  }

  /**
   * Starts a body written in place: its bytes go into the returned sink (the batch's own buffer, from
   * where the last body ended), then `finish` adds the request. Nothing is kept without `finish`.
   */
  begin(): ByteSink {
    const sink = this.#sink;
    sink.bytes = this.#bytes;
    sink.at = this.#used;
    return sink;
  }

  /** Adds the request whose body was written since `begin()` (its bytes end at the sink's `at`). */
  finish(promptTokens: number, hash: number, adapter: string | null): void {
    this.#bytes = this.#sink.bytes;
    this.#used = this.#sink.at;
    this.#row(promptTokens, hash, adapter, null, null);
  }

  /** Appends a request: its body (UTF-8 encoded here), or `error` when it could not be built. */
  add(
    body: string,
    promptTokens: number,
    hash: number,
    adapter: string | null,
    error: string | null,
    media: readonly MediaInstance[] | null = null,
  ): void {
    // encodeInto needs room for the worst case: 3 bytes per UTF-16 unit.
    const room = this.#used + body.length * 3;
    if (room > this.#bytes.length) this.#bytes = grow(this.#bytes, room, this.#used);
    this.#used += encoder.encodeInto(body, this.#bytes.subarray(this.#used)).written;
    this.#row(promptTokens, hash, adapter, error, media);
  }

  #row(
    promptTokens: number,
    hash: number,
    adapter: string | null,
    error: string | null,
    media: readonly MediaInstance[] | null,
  ): void {
    const at = this.#count * INTS;
    if (at + INTS > this.#ints.length) {
      const ints = new Int32Array(this.#ints.length * 2);
      ints.set(this.#ints);
      this.#ints = ints;
    }
    const ints = this.#ints;
    ints[at + I_END] = this.#used;
    ints[at + I_TOKENS] = promptTokens;
    ints[at + I_HASH] = hash | 0;
    ints[at + I_ADAPTER] = adapter === null ? -1 : this.#string(adapter);
    ints[at + I_ERROR] = error === null ? -1 : this.#string(error);
    ints[at + I_MEDIA] = media === null ? -1 : this.#string(JSON.stringify(media));
    this.#count++;
  }

  /** The batch so far (null when empty); the writer starts afresh. */
  take(stageId: number, first: number, buildMs: number): ReadyBatch | null {
    if (this.#count === 0) return null;
    // A mostly full buffer is handed over whole (a transferred buffer is gone: the next batch gets a
    // new one); a mostly empty one is copied out trimmed and kept, so small batches do not each
    // hold a large buffer while they wait in the sender's queue.
    const whole = this.#used * 2 >= this.#bytes.length;
    let bytes: ArrayBuffer;
    if (whole) {
      bytes = this.#bytes.buffer as ArrayBuffer;
      const size = this.#bytes.length;
      let spare = this.#spare.pop();
      while (spare !== undefined && spare.byteLength < size) spare = this.#spare.pop();
      this.#bytes = new Uint8Array(spare ?? new ArrayBuffer(size));
    } else bytes = this.#bytes.buffer.slice(0, this.#used) as ArrayBuffer;
    const batch: ReadyBatch = {
      stageId,
      first,
      count: this.#count,
      bytes,
      ints: this.#ints.slice(0, this.#count * INTS),
      strings: this.#strings,
      buildMs,
      recycle: whole,
    };
    this.#count = 0;
    this.#used = 0;
    this.#strings = [];
    this.#stringIds = new Map();
    return batch;
  }

  #string(value: string): number {
    let id = this.#stringIds.get(value);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(value);
      this.#stringIds.set(value, id);
    }
    return id;
  }
}

function grow(bytes: Uint8Array, needed: number, used: number): Uint8Array {
  let size = bytes.length * 2;
  while (size < needed) size *= 2;
  const next = new Uint8Array(size);
  next.set(bytes.subarray(0, used));
  return next;
}

/** The buffers to transfer with a batch. */
export function readyTransferables(batch: ReadyBatch): ArrayBuffer[] {
  return [batch.bytes, batch.ints.buffer as ArrayBuffer];
}

/**
 * The sender's side: batches of one stage in arrival order, taken one request at a time, in order.
 * `take(k)` is null until the batch holding request k has arrived.
 */
export class ReadyQueue {
  readonly #onRecycle: (bytes: ArrayBuffer) => void;
  #stageId = Number.NaN;
  #batches: ReadyBatch[] = [];
  #head = 0;
  /** Next position within the head batch. */
  #at = 0;
  /** Stage position (k) of the next request to take. */
  #next = 0;
  #built = 0;
  #buildMs = 0;
  #lease: Lease | null = null;

  /** `onRecycle` gets each working buffer back once every request in it is released. */
  constructor(onRecycle: (bytes: ArrayBuffer) => void = () => {}) {
    this.#onRecycle = onRecycle;
  }

  /** The request is finished with its body (sent and settled, or never to be sent). */
  release(request: ReadyRequest): void {
    const lease = request.lease;
    if (--lease.left === 0 && lease.recycle) this.#onRecycle(lease.bytes);
  }

  /** Starts a stage: anything left from an earlier one is dropped. */
  reset(stageId: number): void {
    // What was never taken goes back at once; a half-taken batch, when its taken requests are released.
    for (let b = this.#head; b < this.#batches.length; b++) {
      const batch = this.#batches[b] as ReadyBatch;
      if (b === this.#head && this.#at > 0) {
        const lease = this.#lease as Lease;
        lease.left -= batch.count - this.#at;
        if (lease.left === 0 && lease.recycle) this.#onRecycle(lease.bytes);
      } else if (batch.recycle) this.#onRecycle(batch.bytes);
    }
    this.#stageId = stageId;
    this.#batches = [];
    this.#head = 0;
    this.#at = 0;
    this.#next = 0;
    this.#built = 0;
    this.#buildMs = 0;
  }

  /** Adds a batch of the current stage (others are stale and dropped); returns whether it was kept. */
  push(batch: ReadyBatch): boolean {
    if (batch.stageId !== this.#stageId) {
      if (batch.recycle) this.#onRecycle(batch.bytes);
      return false;
    }
    const expected = this.#next + this.#ready();
    if (batch.first !== expected) {
      throw new RangeError(`Ready requests out of order: got ${batch.first}, expected ${expected}`);
    }
    this.#batches.push(batch);
    this.#built += batch.count;
    this.#buildMs += batch.buildMs;
    return true;
  }

  /** Requests of the stage built so far, and the builder's time for them (ms). */
  get built(): number {
    return this.#built;
  }

  get buildMs(): number {
    return this.#buildMs;
  }

  /** Request k if it has arrived (k must be the next one in order), else null. */
  take(k: number): ReadyRequest | null {
    if (k !== this.#next)
      throw new RangeError(`Ready requests are taken in order: asked ${k}, next ${this.#next}`);
    const batch = this.#batches[this.#head];
    if (batch === undefined) return null;
    const i = this.#at;
    if (i === 0) this.#lease = { left: batch.count, bytes: batch.bytes, recycle: batch.recycle };
    const ints = batch.ints;
    const start = i === 0 ? 0 : (ints[(i - 1) * INTS + I_END] as number);
    const end = ints[i * INTS + I_END] as number;
    const adapter = ints[i * INTS + I_ADAPTER] as number;
    const error = ints[i * INTS + I_ERROR] as number;
    const media = ints[i * INTS + I_MEDIA] as number;
    const ready: ReadyRequest = {
      body: new Uint8Array(batch.bytes, start, end - start),
      promptTokens: ints[i * INTS + I_TOKENS] as number,
      hash: (ints[i * INTS + I_HASH] as number) >>> 0,
      adapter: adapter < 0 ? null : (batch.strings[adapter] as string),
      error: error < 0 ? null : (batch.strings[error] as string),
      media: media < 0 ? null : (JSON.parse(batch.strings[media] as string) as MediaInstance[]),
      lease: this.#lease as Lease,
    };
    this.#next++;
    if (++this.#at === batch.count) {
      this.#batches[this.#head++] = undefined as unknown as ReadyBatch;
      this.#at = 0;
      if (this.#head === this.#batches.length) {
        this.#batches.length = 0;
        this.#head = 0;
      }
    }
    return ready;
  }

  /** Requests arrived and not yet taken. */
  #ready(): number {
    let n = -this.#at;
    for (let b = this.#head; b < this.#batches.length; b++) n += (this.#batches[b] as ReadyBatch).count;
    return n;
  }
}
