import { expect, test } from "bun:test";
import { lostMessage, lostRecords } from "./lost.ts";

// Worker 1 of 2: schedule entries 1, 3, 5, 7 due at 10, 30, 50, 70 ms after t0 = 1000.
const slice = { indices: Uint32Array.of(1, 3, 5, 7), offsets: Float64Array.of(10, 30, 50, 70) };

test("lostRecords() gives a cancelled record for each started request whose record never came back", () => {
  // 3 started (1, 3, 5), the record of 3 arrived: 1 and 5 are lost; 7 was never sent.
  const lost = lostRecords({
    stageId: 2,
    workerId: 1,
    slice,
    t0Ms: 1000,
    started: 3,
    received: (index) => index === 3,
    atMs: 5000,
    streamed: true,
  });
  expect(lost.map((r) => [r.index, r.scheduledMs, r.sentMs, r.endMs])).toEqual([
    [1, 1010, 1010, 5000],
    [5, 1050, 1050, 5000],
  ]);
  expect(lost[0]).toMatchObject({
    stageId: 2,
    workerId: 1,
    failure: "cancelled",
    errorMessage: lostMessage,
    status: 0,
    streamed: true,
    promptTokens: -1,
    clientOutputTokens: -1,
    serverOutputTokens: -1,
  });
  expect(Number.isNaN(lost[0]!.headersMs)).toBe(true);
});

test("lostRecords() of a closed loop dates every lost request at the stage start", () => {
  const closed = { indices: Uint32Array.of(0, 2, 4), offsets: null };
  const lost = lostRecords({
    stageId: 0,
    workerId: 0,
    slice: closed,
    t0Ms: 1000,
    started: 9, // more than the slice holds: capped
    received: () => false,
    atMs: 2000,
    streamed: false,
  });
  expect(lost.map((r) => [r.index, r.scheduledMs, r.endMs])).toEqual([
    [0, 1000, 2000],
    [2, 1000, 2000],
    [4, 1000, 2000],
  ]);
});
