// One request end to end inside a load Worker: a body its builder made ahead of time (ready-batch.ts)
// → transport → response reader → a record in the batch. Nothing here generates or tokenizes a
// prompt. Never throws: every failure is a record.
import { buildHeaders, type RequestConfig, requestPath } from "../api/request.ts";
import { createResponseReader } from "../api/response.ts";
import type { Tokenizer } from "../data/types.ts";
import { lastAttemptMs } from "../http/retrying-transport.ts";
import type { Transport } from "../http/transport.ts";
import type { FailureKind, RequestRecord } from "../record/record.ts";
import { nowMs } from "../runtime/clock.ts";
import type { BatchWriter } from "./batch.ts";
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

/**
 * The time limit of a request when load.request_timeout is not set: an hour, longer than a slow
 * engine takes for any real completion (32k tokens at 10 tokens/s is 53 minutes), so that nothing a
 * server does can hold a request, or a closed-loop stage, forever. (inference-perf gets aiohttp's
 * default, 5 minutes in all.)
 */
export const DEFAULT_REQUEST_TIMEOUT_S = 3600;

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
  const timeoutMs = (config.load.request_timeout ?? DEFAULT_REQUEST_TIMEOUT_S) * 1000;
  // The same for every request of a run: route and headers; the builder made only the body.
  const path = requestPath(config);
  const headers = buildHeaders(config, streamed);
  let hash = FNV_OFFSET;

  async function send(k: number, scheduledMs: number, p: ReadyRequest): Promise<void> {
    const index = indices[k]!;
    deps.onSent();
    hash = fnvNumber(hash, p.hash);
    if (p.error !== null) {
      const at = nowMs();
      deps.release(p);
      write(failedRecord(index, scheduledMs, at, "other", p.error, p.adapter));
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
    const result = reader.finish(outcome.endMs);
    const firstSentMs = Number.isNaN(sentMs) ? outcome.endMs : sentMs;
    const record: RequestRecord = {
      stageId,
      workerId: deps.workerId,
      index,
      scheduledMs,
      sentMs: firstSentMs,
      headersMs,
      endMs: outcome.endMs,
      tokenEventMs: result.tokenEventMs,
      streamed,
      status: result.status,
      // A transport failure (connect, timeout, cut stream) is the cause; the reader's view is a consequence.
      failure: outcome.ok ? result.failure : outcome.kind,
      errorMessage: outcome.ok ? result.errorMessage : outcome.message,
      promptTokens: result.promptTokens,
      promptTokensSource: result.promptTokensSource,
      cachedPromptTokens: result.cachedPromptTokens,
      cacheReported: result.cacheReported,
      clientOutputTokens: result.clientOutputTokens,
      serverOutputTokens: result.serverOutputTokens,
      requestBytes: p.body.byteLength,
      adapter: p.adapter,
      connection: outcome.connection,
      connectMs: outcome.connectMs,
      resent: outcome.resent,
      serverCloses: outcome.serverCloses,
      attempts: outcome.attempts ?? 1,
      lastAttemptMs: lastAttemptMs(outcome, firstSentMs),
      media: p.media,
      session: -1,
    };
    if (outcome.ok && result.outputJson !== null) record.outputJson = result.outputJson;
    write(record);
  }

  function write(r: RequestRecord): void {
    writer.add(r);
    deps.onRecord(r.failure !== null);
  }

  function failedRecord(
    index: number,
    scheduledMs: number,
    at: number,
    failure: FailureKind,
    message: string,
    adapter: string | null,
  ): RequestRecord {
    return {
      stageId,
      workerId: deps.workerId,
      index,
      scheduledMs,
      sentMs: at,
      headersMs: Number.NaN,
      endMs: at,
      tokenEventMs: [],
      streamed,
      status: 0,
      failure,
      errorMessage: message,
      promptTokens: 0,
      promptTokensSource: "client",
      cachedPromptTokens: 0,
      cacheReported: false,
      clientOutputTokens: -1,
      serverOutputTokens: -1,
      requestBytes: 0,
      adapter,
      connection: "none",
      connectMs: Number.NaN,
      resent: false,
      serverCloses: 0,
      attempts: 1,
      lastAttemptMs: at,
      media: null,
      session: -1,
    };
  }

  return { send, hash: () => hash };
}
