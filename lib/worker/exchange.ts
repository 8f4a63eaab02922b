// One request end to end inside a Worker: data item → body (prepared ahead of the send time) →
// transport → response reader → a record in the batch. Never throws: every failure is a record.
import { type BuiltRequest, buildRequest, type RequestConfig } from "../api/request.ts";
import { createResponseReader } from "../api/response.ts";
import { clientPromptTokens } from "../api/usage.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "../data/types.ts";
import type { Transport } from "../http/transport.ts";
import type { FailureKind, RequestRecord } from "../record/record.ts";
import { nowMs } from "../runtime/clock.ts";
import type { BatchWriter } from "./batch.ts";
import { FNV_OFFSET, fnvString } from "./fnv.ts";

export interface ExchangeDeps {
  config: RequestConfig & { load: { request_timeout?: number | null | undefined } };
  workerId: number;
  model: string;
  data: DataGenerator;
  tokenizer: Tokenizer;
  pickAdapter: () => string | null;
  transport: Transport;
  writer: BatchWriter;
  /** Called after each record is written (counters; flushes the writer when full). */
  onRecord: (failed: boolean) => void;
  /** Called as the request goes out. */
  onSent: () => void;
}

/**
 * The time limit of a request when load.request_timeout is not set: an hour, longer than a slow
 * engine takes for any real completion (32k tokens at 10 tokens/s is 53 minutes), so that nothing a
 * server does can hold a request, or a closed-loop stage, forever. (inference-perf gets aiohttp's
 * default, 5 minutes in all.)
 */
export const DEFAULT_REQUEST_TIMEOUT_S = 3600;

/** A request ready to send, or the error that kept it from being built. */
export type Prepared =
  | { index: number; item: GeneratedRequest; built: BuiltRequest; adapter: string | null; error: null }
  | { index: number; error: string };

export interface StageExchange {
  prepare(k: number): Prepared;
  send(k: number, scheduledMs: number, prepared: Prepared): Promise<void>;
  /** Running hash of what was built, in order (data and adapter choices). */
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
  let hash = FNV_OFFSET;

  function prepare(k: number): Prepared {
    const index = indices[k]!;
    try {
      const item = deps.data.next(index);
      const adapter = deps.pickAdapter();
      const built = buildRequest(config, item, adapter ?? deps.model);
      hash = fnvString(hash, built.body);
      return { index, item, built, adapter, error: null };
    } catch (error) {
      // A generator or builder bug must not stop the run: it is a failed request like any other.
      return { index, error: String(error) };
    }
  }

  async function send(_k: number, scheduledMs: number, p: Prepared): Promise<void> {
    deps.onSent();
    if (p.error !== null) {
      const at = nowMs();
      write(failedRecord(p.index, scheduledMs, at, "other", p.error));
      return;
    }
    const { item, built } = p;
    const reader = createResponseReader({
      streamed,
      apiType: config.api.type,
      tokenizer,
      countPromptTokens: () => clientPromptTokens(item, config.api.type, tokenizer),
      checkJson,
    });
    let sentMs = Number.NaN;
    let headersMs = Number.NaN;
    const outcome = await transport.send(
      { method: "POST", path: built.path, headers: built.headers, body: built.body },
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
    const result = reader.finish(outcome.endMs);
    const record: RequestRecord = {
      stageId,
      workerId: deps.workerId,
      index: p.index,
      scheduledMs,
      sentMs: Number.isNaN(sentMs) ? outcome.endMs : sentMs,
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
      requestBytes: built.bodyBytes,
      adapter: p.adapter,
      connection: outcome.connection,
      connectMs: outcome.connectMs,
      resent: outcome.resent,
      serverCloses: outcome.serverCloses,
      media: item.media ?? null,
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
      adapter: null,
      connection: "none",
      connectMs: Number.NaN,
      resent: false,
      serverCloses: 0,
      media: null,
      session: -1,
    };
  }

  return { prepare, send, hash: () => hash };
}
