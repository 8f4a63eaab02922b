import { describe, expect, test } from "bun:test";
import type { RequestRecord } from "../record/record.ts";
import { BatchWriter, batchTransferables, readBatch } from "./batch.ts";

function record(i: number, overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    stageId: 1,
    workerId: 3,
    index: i,
    scheduledMs: 1.7e12 + i * 0.25,
    sentMs: 1.7e12 + i * 0.25 + 0.001,
    headersMs: 1.7e12 + i + 2,
    endMs: 1.7e12 + i + 9,
    tokenEventMs: Array.from({ length: i % 4 }, (_, k) => 1.7e12 + i + 3 + k),
    streamed: i % 2 === 0,
    status: 200,
    failure: null,
    errorMessage: "",
    promptTokens: 100 + i,
    promptTokensSource: i % 3 === 0 ? "server" : "client",
    cachedPromptTokens: i % 5 === 0 ? 16 : 0,
    cacheReported: i % 5 !== 4,
    clientOutputTokens: i % 4,
    serverOutputTokens: -1,
    requestBytes: 512,
    adapter: i % 2 === 0 ? null : "lora-a",
    connection: (["none", "new", "reused"] as const)[i % 3]!,
    connectMs: i % 3 === 1 ? 0.25 + i / 1000 : Number.NaN,
    resent: i % 5 === 4,
    serverCloses: i % 7,
    // Every third request was sent again (load.request_retries) 1.5 s after its first send.
    attempts: i % 3 === 2 ? 1 + (i % 4) : 1,
    lastAttemptMs: 1.7e12 + i * 0.25 + 0.001 + (i % 3 === 2 ? 1500 : 0),
    media: null,
    session: i % 3 === 0 ? -1 : i * 7,
    ...overrides,
  };
}

describe("BatchWriter and readBatch()", () => {
  test("carry the structured-output check, and leave it absent when it was not made", () => {
    const w = new BatchWriter(8);
    w.add(record(0, { outputJson: "valid" }));
    w.add(record(1, { outputJson: "invalid" }));
    w.add(record(2));
    const back = readBatch(w.take()!);
    expect(back.map((r) => r.outputJson)).toEqual(["valid", "invalid", undefined]);
    expect("outputJson" in back[2]!).toBe(false);
    expect(back.map((r) => r.streamed)).toEqual([true, false, true]);
  });

  test("round-trip every field of every record exactly", () => {
    const w = new BatchWriter(64);
    const records = Array.from({ length: 50 }, (_, i) => record(i));
    records.push(
      record(50, { failure: "timeout", status: 0, headersMs: Number.NaN, errorMessage: "Request timed out" }),
      record(51, {
        failure: "http_status",
        status: 503,
        errorMessage: "Request timed out",
        adapter: "lora-b",
      }),
    );
    for (const r of records) w.add(r);
    const batch = w.take()!;
    expect(readBatch(batch)).toEqual(records);
    // Repeated strings are stored once.
    expect(batch.strings).toEqual(["lora-a", "Request timed out", "lora-b"]);
  });

  test("restarts empty after take() and survives transfer through a MessageChannel", async () => {
    const w = new BatchWriter(4);
    for (let i = 0; i < 4; i++) w.add(record(i));
    expect(w.full).toBe(true);
    const batch = w.take()!;
    expect(w.count).toBe(0);
    expect(w.take()).toBeNull();
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<unknown>((resolve) => {
      port2.onmessage = (e) => resolve(e.data);
    });
    port1.postMessage(batch, batchTransferables(batch));
    expect(batch.ints.length).toBe(0); // detached: transferred, not copied
    const copy = (await received) as typeof batch;
    expect(readBatch(copy).map((r) => r.index)).toEqual([0, 1, 2, 3]);
    port1.close();
    port2.close();
  });

  test("grows the token column for long streams", () => {
    const w = new BatchWriter(2);
    const long = record(0, { tokenEventMs: Array.from({ length: 5000 }, (_, k) => k) });
    w.add(long);
    w.add(record(1));
    expect(readBatch(w.take()!)[0]!.tokenEventMs).toHaveLength(5000);
  });

  test("cuts very long error messages", () => {
    const w = new BatchWriter(1);
    w.add(record(0, { failure: "http_status", errorMessage: "x".repeat(10_000) }));
    expect(readBatch(w.take()!)[0]!.errorMessage.length).toBeLessThan(510);
  });
});
