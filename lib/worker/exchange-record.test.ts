import { expect, test } from "bun:test";
import type { ResponseOutcome } from "../api/response.ts";
import { defaultTokenizer } from "../data/tokenizer/default.ts";
import type { SendOptions, SendOutcome, Transport } from "../http/transport.ts";
import { BatchWriter } from "./batch.ts";
import {
  DEFAULT_REQUEST_TIMEOUT_S,
  type RecordPlace,
  requestTimeoutMs,
  settledRecord,
  unsentRecord,
} from "./exchange-record.ts";
import { sendTurn } from "./send-turn.ts";

const place: RecordPlace = {
  stageId: 2,
  workerId: 1,
  index: 7,
  scheduledMs: 1000,
  streamed: true,
  requestBytes: 321,
  adapter: "lora-a",
  media: null,
  session: 4,
};

const read: ResponseOutcome = {
  tokenEventMs: [1010, 1020],
  failure: null,
  errorMessage: "",
  status: 200,
  promptTokens: 12,
  promptTokensSource: "server",
  cachedPromptTokens: 3,
  clientOutputTokens: -1,
  serverOutputTokens: 2,
  outputJson: "valid",
  cacheReported: true,
  replyText: null,
  replyToolCalls: null,
};

const connection = { connection: "reused", connectMs: Number.NaN, resent: false, serverCloses: 0 } as const;

test("a request without load.request_timeout gets the default hour, one with it its own", () => {
  expect(requestTimeoutMs({ load: { request_timeout: null } })).toBe(DEFAULT_REQUEST_TIMEOUT_S * 1000);
  expect(requestTimeoutMs({ load: {} })).toBe(3_600_000);
  expect(requestTimeoutMs({ load: { request_timeout: 2.5 } })).toBe(2500);
});

test("a settled record takes its place, the reader's figures and the transport's connection use", () => {
  const r = settledRecord(
    place,
    1001,
    1005,
    { ok: true, endMs: 1030, ...connection, attempts: 2, lastSentMs: 1003 },
    read,
  );
  expect(r).toMatchObject({
    ...place,
    sentMs: 1001,
    headersMs: 1005,
    endMs: 1030,
    tokenEventMs: [1010, 1020],
    status: 200,
    failure: null,
    promptTokens: 12,
    cachedPromptTokens: 3,
    serverOutputTokens: 2,
    connection: "reused",
    attempts: 2,
    lastAttemptMs: 1003,
    outputJson: "valid",
  });
});

test("a transport failure is the record's cause over the reader's view, and a failed request carries no JSON verdict", () => {
  const failed: SendOutcome = {
    ok: false,
    endMs: 1050,
    kind: "timeout",
    message: "Request timed out",
    ...connection,
  };
  const r = settledRecord(place, Number.NaN, Number.NaN, failed, {
    ...read,
    failure: "stream_error",
    errorMessage: "x",
  });
  expect(r).toMatchObject({
    failure: "timeout",
    errorMessage: "Request timed out",
    sentMs: 1050,
    lastAttemptMs: 1050,
  });
  expect(r.outputJson).toBeUndefined();
  const unread = settledRecord(
    place,
    1001,
    1005,
    { ok: true, endMs: 1030, ...connection },
    { ...read, outputJson: null },
  );
  expect(unread.outputJson).toBeUndefined();
});

test("an unsent record has no connection, no response and the prompt count it is given", () => {
  const r = unsentRecord(place, 1002, 1040, "cancelled", "lost", -1);
  expect(r).toMatchObject({
    ...place,
    sentMs: 1002,
    endMs: 1040,
    lastAttemptMs: 1002,
    failure: "cancelled",
    errorMessage: "lost",
    promptTokens: -1,
    status: 0,
    tokenEventMs: [],
    connection: "none",
    attempts: 1,
  });
  expect(r.headersMs).toBeNaN();
});

test("a session turn without load.request_timeout is sent with the same one-hour limit as a stage's requests", async () => {
  const seen: SendOptions[] = [];
  const transport: Transport = {
    async send(_request, handler, options) {
      seen.push(options);
      handler.onSent(1001);
      handler.onHeaders(200, 1002, null);
      const body = {
        choices: [{ message: { role: "assistant", content: "ok" } }],
        usage: { prompt_tokens: 3, completion_tokens: 1 },
      };
      handler.onData(new TextEncoder().encode(JSON.stringify(body)), 1003);
      return { ok: true, endMs: 1004, ...connection };
    },
    stats: () => ({ opened: 0, open: 0, retried: 0 }) as never,
    close() {},
  };
  const result = await sendTurn(
    {
      config: {
        api: { type: "chat", streaming: false },
        server: { ignore_eos: true },
        load: { request_timeout: null },
      },
      workerId: 0,
      tokenizer: defaultTokenizer(),
      transport,
      writer: new BatchWriter(16),
      onRecord: () => {},
      onSent: () => {},
    },
    {
      stageId: 0,
      index: 0,
      session: 0,
      scheduledMs: 1000,
      promptTokens: 3,
      built: { path: "/v1/chat/completions", body: "{}", headers: {}, bodyBytes: 2 },
    },
  );
  expect(result.ok).toBe(true);
  expect(seen).toEqual([{ timeoutMs: 3_600_000 }]);
});
