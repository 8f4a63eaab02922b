// One request of a session, end to end inside a Worker: a body assembled from prebuilt parts →
// transport → response reader (keeping the reply text) → a record in the batch, and what the next
// turn needs: the reply and the server's session token. Never throws: every failure is a record.
//
// The hot path is the same as exchange.ts's: between bytes arriving and their stamp nothing is built;
// the reply text is joined once after the end stamp, and the session's next body is assembled by the
// caller from strings already JSON-escaped (api/conversation-state.ts, api/replay-messages.ts).
import type { BuiltRequest, RequestConfig } from "../api/request.ts";
import { createResponseReader, type ToolCallOut } from "../api/response.ts";
import type { Tokenizer } from "../data/types.ts";
import { lastAttemptMs } from "../http/retrying-transport.ts";
import type { Transport } from "../http/transport.ts";
import type { RequestRecord } from "../record/record.ts";
import type { BatchWriter } from "./batch.ts";

export interface TurnDeps {
  config: RequestConfig & { load: { request_timeout?: number | null | undefined } };
  workerId: number;
  tokenizer: Tokenizer;
  transport: Transport;
  writer: BatchWriter;
  onRecord: (failed: boolean) => void;
  onSent: () => void;
}

export interface Turn {
  stageId: number;
  /** RequestRecord.index: the stage's request index, or the call's position in its session. */
  index: number;
  session: number;
  scheduledMs: number;
  built: BuiltRequest;
  /** The client's prompt count (sum of the parts' counts), used when the server reports none. */
  promptTokens: number;
}

export interface TurnResult {
  ok: boolean;
  /** The reply text ("" when none came). */
  reply: string;
  /** The tool calls the reply made (empty when none). */
  toolCalls: ToolCallOut[];
  /** Output tokens: the server's usage, else the client's count. */
  outputTokens: number;
  /** The watched response header (api.session_token_header_key), when the server sent it. */
  token: string | null;
  sentMs: number;
  endMs: number;
}

export async function sendTurn(deps: TurnDeps, turn: Turn): Promise<TurnResult> {
  const { config } = deps;
  const streamed = config.api.streaming;
  const timeoutMs = config.load.request_timeout == null ? null : config.load.request_timeout * 1000;
  deps.onSent();
  const checkJson = config.api.response_format != null;
  const reader = createResponseReader({
    checkJson,
    streamed,
    apiType: config.api.type,
    tokenizer: deps.tokenizer,
    countPromptTokens: () => turn.promptTokens,
    keepReply: true,
  });
  let sentMs = Number.NaN;
  let headersMs = Number.NaN;
  let token: string | null = null;
  const { built } = turn;
  const outcome = await deps.transport.send(
    { method: "POST", path: built.path, headers: built.headers, body: built.body },
    {
      onSent: (at) => {
        sentMs = at;
      },
      onHeaders: (status, at, watched) => {
        headersMs = at;
        if (watched !== undefined && watched !== null && watched !== "") token = watched;
        reader.onHeaders(status, at);
      },
      onData: (chunk, at) => reader.onData(chunk, at),
    },
    { timeoutMs },
  );
  const result = reader.finish(outcome.endMs);
  const failure = outcome.ok ? result.failure : outcome.kind;
  const firstSentMs = Number.isNaN(sentMs) ? outcome.endMs : sentMs;
  const record: RequestRecord = {
    stageId: turn.stageId,
    workerId: deps.workerId,
    index: turn.index,
    scheduledMs: turn.scheduledMs,
    sentMs: firstSentMs,
    headersMs,
    endMs: outcome.endMs,
    tokenEventMs: result.tokenEventMs,
    streamed,
    status: result.status,
    failure,
    errorMessage: outcome.ok ? result.errorMessage : outcome.message,
    promptTokens: result.promptTokens,
    promptTokensSource: result.promptTokensSource,
    cachedPromptTokens: result.cachedPromptTokens,
    cacheReported: result.cacheReported,
    clientOutputTokens: result.clientOutputTokens,
    serverOutputTokens: result.serverOutputTokens,
    requestBytes: built.bodyBytes,
    adapter: null,
    connection: outcome.connection,
    connectMs: outcome.connectMs,
    resent: outcome.resent,
    serverCloses: outcome.serverCloses,
    attempts: outcome.attempts ?? 1,
    lastAttemptMs: lastAttemptMs(outcome, firstSentMs),
    media: null,
    session: turn.session,
  };
  if (failure === null && result.outputJson !== null) record.outputJson = result.outputJson;
  deps.writer.add(record);
  deps.onRecord(failure !== null);
  const reply = result.replyText ?? "";
  return {
    ok: failure === null,
    reply,
    toolCalls: result.replyToolCalls ?? [],
    outputTokens:
      result.serverOutputTokens >= 0
        ? result.serverOutputTokens
        : result.clientOutputTokens >= 0
          ? result.clientOutputTokens
          : Math.max(1, Math.floor(reply.length / 4)),
    token,
    sentMs: record.sentMs,
    endMs: outcome.endMs,
  };
}
