// Test helper: request records with sensible defaults (a streamed success), for metrics and report tests.
import type { RequestRecord } from "./record.ts";

export function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    stageId: 0,
    workerId: 0,
    index: 0,
    scheduledMs: 1000,
    sentMs: 1000,
    headersMs: 1010,
    endMs: 1100,
    tokenEventMs: [1020, 1030, 1040, 1050, 1060],
    streamed: true,
    status: 200,
    failure: null,
    errorMessage: "",
    promptTokens: 100,
    promptTokensSource: "server",
    cachedPromptTokens: 0,
    cacheReported: false,
    clientOutputTokens: 5,
    serverOutputTokens: 5,
    requestBytes: 400,
    adapter: null,
    connection: "reused",
    connectMs: Number.NaN,
    resent: false,
    serverCloses: 0,
    attempts: 1,
    lastAttemptMs: overrides.sentMs ?? 1000,
    media: null,
    session: -1,
    ...overrides,
  };
}
