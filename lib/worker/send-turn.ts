// One request of a session, end to end inside a Worker: a body assembled from prebuilt parts →
// transport → response reader (keeping the reply text) → a record in the batch, and what the next
// turn needs: the reply and the server's session token. Never throws: every failure is a record.
//
// The hot path is the same as exchange.ts's: between bytes arriving and their stamp nothing is built;
// the reply text is joined once after the end stamp, and the session's next body is assembled by the
// caller from strings already JSON-escaped (api/conversation-state.ts, api/replay-messages.ts).
import type { BuiltRequest } from "../api/request.ts";
import { createResponseReader, type ToolCallOut } from "../api/response.ts";
import type { ExchangeDeps } from "./exchange.ts";
import { requestTimeoutMs, settledRecord } from "./exchange-record.ts";

/** What a turn needs of its Worker: a stage exchange's needs, less the ready-request buffers. */
export type TurnDeps = Omit<ExchangeDeps, "release">;

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
  const timeoutMs = requestTimeoutMs(config);
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
  const record = settledRecord(
    {
      stageId: turn.stageId,
      workerId: deps.workerId,
      index: turn.index,
      scheduledMs: turn.scheduledMs,
      streamed,
      requestBytes: built.bodyBytes,
      adapter: null,
      media: null,
      session: turn.session,
    },
    sentMs,
    headersMs,
    outcome,
    result,
  );
  const failure = record.failure;
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
