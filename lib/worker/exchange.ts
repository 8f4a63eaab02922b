// One request end to end inside a load Worker: a body its builder made ahead of time (ready-batch.ts)
// → transport → response reader → a record in the batch. Nothing here generates or tokenizes a
// prompt. Never throws: every failure is a record.
import { buildHeaders, type RequestConfig, requestPath } from "../api/request.ts";
import { createResponseReader } from "../api/response.ts";
import type { Tokenizer } from "../data/types.ts";
import type { Transport } from "../http/transport.ts";
import type { RequestRecord } from "../record/record.ts";
import { nowMs } from "../runtime/clock.ts";
import type { BatchWriter } from "./batch.ts";
import { type RecordPlace, requestTimeoutMs, settledRecord, unsentRecord } from "./exchange-record.ts";
import { FNV_OFFSET, fnvNumber } from "./fnv.ts";
import type { ReadyRequest } from "./ready-batch.ts";

export interface ExchangeDeps {
  config: RequestConfig & { load: { request_timeout?: number | null | undefined } };
  workerId: number;
  /** Counts output tokens when the server reports none. */
  tokenizer: Tokenizer;
  transport: Transport;
  writer: BatchWriter;
  /** Called after each record is written (counters; flushes the writer when full). */
  onRecord: (failed: boolean) => void;
  /** Called as the request goes out. */
  onSent: () => void;
  /** Called once a request no longer needs its body (settled): its buffer may be reused. */
  release: (ready: ReadyRequest) => void;
}

export interface StageExchange {
  /** Sends request k (its body built ahead) and records it; never rejects. */
  send(k: number, scheduledMs: number, ready: ReadyRequest): Promise<void>;
  /** Running hash of the bodies sent, in order (data and adapter choices). */
  hash(): number;
}

export function createStageExchange(
  deps: ExchangeDeps,
  stageId: number,
  indices: Uint32Array,
): StageExchange {
  const { config, transport, writer, tokenizer } = deps;
  const streamed = config.api.streaming;
  // api.response_format asks for JSON: each success's output is checked (the Messages API has none).
  const checkJson = config.api.response_format != null && config.api.type !== "anthropic_messages";
  const timeoutMs = requestTimeoutMs(config);
  // The same for every request of a run: route and headers; the builder made only the body.
  const path = requestPath(config);
  const headers = buildHeaders(config, streamed);
  let hash = FNV_OFFSET;

  async function send(k: number, scheduledMs: number, p: ReadyRequest): Promise<void> {
    const index = indices[k]!;
    deps.onSent();
    hash = fnvNumber(hash, p.hash);
    const place: RecordPlace = {
      stageId,
      workerId: deps.workerId,
      index,
      scheduledMs,
      streamed,
      requestBytes: p.body.byteLength,
      adapter: p.adapter,
      media: p.media,
      session: -1,
    };
    if (p.error !== null) {
      const at = nowMs();
      deps.release(p);
      write(unsentRecord({ ...place, requestBytes: 0, media: null }, at, at, "other", p.error, 0));
      return;
    }
    const reader = createResponseReader({
      streamed,
      apiType: config.api.type,
      tokenizer,
      countPromptTokens: () => p.promptTokens,
      checkJson,
    });
    let sentMs = Number.NaN;
    let headersMs = Number.NaN;
    const outcome = await transport.send(
      { method: "POST", path, headers, body: p.body },
      {
        onSent: (at) => {
          sentMs = at;
        },
        onHeaders: (status, at) => {
          headersMs = at;
          reader.onHeaders(status, at);
        },
        onData: (chunk, at) => reader.onData(chunk, at),
      },
      { timeoutMs },
    );
    // Settled: the transport will not send the body again (a re-send on a fresh connection happens before).
    deps.release(p);
    write(settledRecord(place, sentMs, headersMs, outcome, reader.finish(outcome.endMs)));
  }

  function write(r: RequestRecord): void {
    writer.add(r);
    deps.onRecord(r.failure !== null);
  }

  return { send, hash: () => hash };
}
