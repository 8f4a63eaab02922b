import { describe, expect, test } from "bun:test";
import { achievedRate } from "./achieved-rate.ts";

describe("achievedRate()", () => {
  test.each([
    // count, last send (ms after t0), rate, last planned offset (ms) → achieved
    [10, 900, 10, 900, 10], // 10 req/s evenly spaced, on time
    [10, 1900, 10, 900, 5], // the same sends took twice as long
    [5, 300, 10, 300, 10], // a short Poisson draw, on time, still scores the requested rate
    [10, 850, 10, 900, 10], // never above the requested rate when sends run early
    [0, Number.NaN, 10, 900, 0], // nothing sent
  ])(
    "%p sends ending at %p ms at %p req/s (planned end %p ms) achieve %p req/s",
    (count, last, rate, planned, expected) => {
      expect(achievedRate({ count, lastSentMs: last }, 0, rate, planned)).toBeCloseTo(expected, 9);
    },
  );
});
