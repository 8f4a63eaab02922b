import { describe, expect, test } from "bun:test";
import type { RequestRecord } from "../metrics/record.ts";
import { achievedRate, StageStatsAccumulator } from "./stage-stats.ts";

function sent(scheduledMs: number, sentMs: number): RequestRecord {
  return { scheduledMs, sentMs, failure: null } as RequestRecord;
}

describe("StageStatsAccumulator", () => {
  test("gives the exact median delay and the send span for a small stage", () => {
    const acc = new StageStatsAccumulator();
    for (const [s, a] of [
      [0, 0.5],
      [10, 10.1],
      [20, 23],
      [30, 30.2],
      [40, 40.3],
    ] as const)
      acc.add(sent(s, a));
    const stats = acc.close();
    expect(stats).toMatchObject({ count: 5, failed: 0, firstSentMs: 0.5, lastSentMs: 40.3 });
    expect(stats.medianDelayMs).toBeCloseTo(0.3, 9);
  });

  test("keeps a bounded sample whose median tracks the true one", () => {
    const acc = new StageStatsAccumulator();
    // Delays 0…99,999 µs in a shuffled order: the median is about 50 ms.
    for (let i = 0; i < 100_000; i++) acc.add(sent(0, ((i * 7919) % 100_000) / 1000));
    const median = acc.close().medianDelayMs;
    expect(median).toBeGreaterThan(45);
    expect(median).toBeLessThan(55);
  });
});

describe("achievedRate()", () => {
  test.each([
    // count, last send (ms after t0), rate, last planned offset (ms) → achieved
    [10, 900, 10, 900, 10], // 10 req/s evenly spaced, on time
    [10, 1900, 10, 900, 5], // the same sends took twice as long
    [5, 300, 10, 300, 10], // a short Poisson draw, on time, still scores the requested rate
    [10, 850, 10, 900, 10], // never above the requested rate when sends run early
  ])(
    "%p sends ending at %p ms at %p req/s (planned end %p ms) achieve %p req/s",
    (count, last, rate, planned, expected) => {
      const stats = { count, failed: 0, firstSentMs: 0, lastSentMs: last, medianDelayMs: 0 };
      expect(achievedRate(stats, 0, rate, planned)).toBeCloseTo(expected, 9);
    },
  );
});
