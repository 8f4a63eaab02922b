// The record of one exchange, made the same way for a stage's requests (exchange.ts), a session's
// turns (send-turn.ts) and requests a terminated Worker took with it (lost.ts). Pure.
import type { ResponseOutcome } from "../api/response.ts";
import { lastAttemptMs } from "../http/retrying-transport.ts";
import type { SendOutcome } from "../http/transport.ts";
import type { FailureKind, RequestRecord } from "../record/record.ts";

/**
 * The time limit of a request when load.request_timeout is not set: an hour, longer than a slow
 * engine takes for any real completion (32k tokens at 10 tokens/s is 53 minutes), so that nothing a
 * server does can hold a request, or a closed-loop stage, forever. (inference-perf gets aiohttp's
 * default, 5 minutes in all.)
 */
export const DEFAULT_REQUEST_TIMEOUT_S = 3600;

/** load.request_timeout in ms, or the default's. */
export function requestTimeoutMs(config: { load: { request_timeout?: number | null | undefined } }): number {
  return (config.load.request_timeout ?? DEFAULT_REQUEST_TIMEOUT_S) * 1000;
}

/** Where a record belongs and what was sent: known before the exchange. */
export interface RecordPlace {
  stageId: number;
  workerId: number;
  index: number;
  scheduledMs: number;
  streamed: boolean;
  requestBytes: number;
  adapter: string | null;
  media: RequestRecord["media"];
  session: number;
}

/** The record of an exchange the transport settled; `sentMs` is the first attempt's stamp (NaN if none). */
export function settledRecord(
  place: RecordPlace,
  sentMs: number,
  headersMs: number,
  outcome: SendOutcome,
  result: ResponseOutcome,
): RequestRecord {
  const firstSentMs = Number.isNaN(sentMs) ? outcome.endMs : sentMs;
  const record: RequestRecord = {
    stageId: place.stageId,
    workerId: place.workerId,
    index: place.index,
    scheduledMs: place.scheduledMs,
    sentMs: firstSentMs,
    headersMs,
    endMs: outcome.endMs,
    tokenEventMs: result.tokenEventMs,
    streamed: place.streamed,
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
    requestBytes: place.requestBytes,
    adapter: place.adapter,
    connection: outcome.connection,
    connectMs: outcome.connectMs,
    resent: outcome.resent,
    serverCloses: outcome.serverCloses,
    attempts: outcome.attempts ?? 1,
    lastAttemptMs: lastAttemptMs(outcome, firstSentMs),
    media: place.media,
    session: place.session,
  };
  if (record.failure === null && result.outputJson !== null) record.outputJson = result.outputJson;
  return record;
}

/**
 * The record of a request that never reached the server (a body that could not be built, or lost
 * with its Worker): no connection, no response, `promptTokens` as the caller knows it.
 */
export function unsentRecord(
  place: RecordPlace,
  sentMs: number,
  endMs: number,
  failure: FailureKind,
  message: string,
  promptTokens: number,
): RequestRecord {
  return {
    stageId: place.stageId,
    workerId: place.workerId,
    index: place.index,
    scheduledMs: place.scheduledMs,
    sentMs,
    headersMs: Number.NaN,
    endMs,
    tokenEventMs: [],
    streamed: place.streamed,
    status: 0,
    failure,
    errorMessage: message,
    promptTokens,
    promptTokensSource: "client",
    cachedPromptTokens: 0,
    cacheReported: false,
    clientOutputTokens: -1,
    serverOutputTokens: -1,
    requestBytes: place.requestBytes,
    adapter: place.adapter,
    connection: "none",
    connectMs: Number.NaN,
    resent: false,
    serverCloses: 0,
    attempts: 1,
    lastAttemptMs: sentMs,
    media: place.media,
    session: place.session,
  };
}
