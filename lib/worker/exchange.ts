// One request end to end inside a Worker: data item → body → transport → response reader → a record in
// the batch. Never throws: every failure becomes a record with its kind.
import { type BuiltRequest, buildRequest, type RequestConfig } from "../api/request.ts";
import { createResponseReader } from "../api/response.ts";
import type { DataGenerator, GeneratedRequest, Tokenizer } from "../data/types.ts";
import type { Transport } from "../http/transport.ts";
import type { RequestRecord } from "../metrics/record.ts";
import type { BatchWriter } from "./batch.ts";
import { FNV_OFFSET, fnvString } from "./_fnv.ts";
import { nowMs } from "./wait.ts";

export interface ExchangeDeps {
  config: RequestConfig & { load: { request_timeout?: number | null | undefined } };
  workerId: number;
  model: string;
  data: DataGenerator;
  tokenizer: Tokenizer;
  pickAdapter: () => string | null;
  transport: Transport;
  writer: BatchWriter;
  /** Called with the writer after each record (flushes it when full). */
  onRecord: (failed: boolean) => void;
  /** Called as the request goes out. */
  onSent: () => void;
}

export interface StageExchange {
  send(k: number, scheduledMs: number): Promise<void>;
  /** Running hash of what was sent, in send order. */
  hash(): number;
}

export function createStageExchange(deps: ExchangeDeps, stageId: number, indices: Uint32Array): StageExchange {
  const { config, transport, writer, tokenizer } = deps;
  const streamed = config.api.streaming;
  const timeoutMs = config.load.request_timeout == null ? null : config.load.request_timeout * 1000;
  let hash = FNV_OFFSET;

  async function send(k: number, scheduledMs: number): Promise<void> {
    const index = indices[k]!;
    let item: GeneratedRequest;
    let built: BuiltRequest;
    let adapter: string | null;
    try {
      item = deps.data.next(index);
      adapter = deps.pickAdapter();
      built = buildRequest(config, item, adapter ?? deps.model);
    } catch (error) {
      // A generator or builder bug must not stop the run: it is a failed request like any other.
      deps.onSent();
      record(index, scheduledMs, nowMs(), Number.NaN, nowMs(), "other", String(error), null, 0);
      return;
    }
    hash = fnvString(hash, built.body);
    const reader = createResponseReader({
      streamed,
      apiType: config.api.type,
      tokenizer,
      countPromptTokens: () => promptTokens(tokenizer, item, config.api.type),
    });
    let sentMs = Number.NaN;
    let headersMs = Number.NaN;
    deps.onSent();
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
    const r: RequestRecord = {
      stageId,
      workerId: deps.workerId,
      index,
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
      clientOutputTokens: result.clientOutputTokens,
      serverOutputTokens: result.serverOutputTokens,
      requestBytes: built.bodyBytes,
      adapter,
    };
    writer.add(r);
    deps.onRecord(r.failure !== null);
  }

  function record(
    index: number,
    scheduledMs: number,
    sentMs: number,
    headersMs: number,
    endMs: number,
    failure: RequestRecord["failure"],
    errorMessage: string,
    adapter: string | null,
    requestBytes: number,
  ): void {
    writer.add({
      stageId,
      workerId: deps.workerId,
      index,
      scheduledMs,
      sentMs,
      headersMs,
      endMs,
      tokenEventMs: [],
      streamed,
      status: 0,
      failure,
      errorMessage,
      promptTokens: 0,
      promptTokensSource: "client",
      cachedPromptTokens: 0,
      clientOutputTokens: -1,
      serverOutputTokens: -1,
      requestBytes,
      adapter,
    });
    deps.onRecord(failure !== null);
  }

  return { send, hash: () => hash };
}

function promptTokens(tokenizer: Tokenizer, item: GeneratedRequest, apiType: string): number {
  if (apiType === "chat") return item.messages.reduce((n, m) => n + tokenizer.count(m.content), 0);
  return tokenizer.count(item.prompt);
}
