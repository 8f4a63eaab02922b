import { describe, expect, test } from "bun:test";
import { describePoisson, poissonOffsets } from "./poisson.ts";
import { createRng } from "./rng.ts";

function gaps(offsets: Float64Array): number[] {
  return Array.from(offsets, (t, i) => t - (i === 0 ? 0 : offsets[i - 1]!));
}

describe("poissonOffsets()", () => {
  test("gives the same offsets for the same seed", () => {
    const a = poissonOffsets({ rate: 100, durationS: 10 }, createRng(42));
    const b = poissonOffsets({ rate: 100, durationS: 10 }, createRng(42));
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  test("gives different offsets for a different seed", () => {
    const a = poissonOffsets({ rate: 100, durationS: 10 }, createRng(42));
    const b = poissonOffsets({ rate: 100, durationS: 10 }, createRng(43));
    expect(a[0]).not.toBe(b[0]);
  });

  test("sends int(rate * duration) requests in ascending order", () => {
    const offsets = poissonOffsets({ rate: 250, durationS: 4 }, createRng(7));
    expect(offsets.length).toBe(1000);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]!).toBeGreaterThanOrEqual(offsets[i - 1]!);
  });

  // Exponential gaps with mean m = 1000 / rate ms have variance m². Over n gaps the sample mean has
  // standard error m / sqrt(n) and the sample variance about m² * sqrt(8 / n) (fourth moment 9 m⁴).
  // Bounds are 5 standard errors, so a correct generator fails with probability below 1e-6.
  test.each([
    // seed, rate, duration: n = 100,000 gaps each
    [1, 1000, 100], // 1 kHz: mean gap 1 ms
    [2026, 50, 2000], // 50 req/s: mean gap 20 ms
    [0xffffffff, 10_000, 10], // 10 kHz: mean gap 0.1 ms
  ])(
    "with seed %p at %p req/s the gap mean and variance match 1/rate and 1/rate²",
    (seed, rate, durationS) => {
      const g = gaps(poissonOffsets({ rate, durationS }, createRng(seed)));
      const n = g.length;
      const m = 1000 / rate;
      const mean = g.reduce((s, x) => s + x, 0) / n;
      const variance = g.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
      expect(Math.abs(mean - m)).toBeLessThan((5 * m) / Math.sqrt(n));
      expect(Math.abs(variance - m * m)).toBeLessThan(5 * m * m * Math.sqrt(8 / n));
      expect(Math.min(...g)).toBeGreaterThanOrEqual(0);
    },
  );

  test("describePoisson() names rate, duration and count", () => {
    expect(describePoisson({ rate: 200, durationS: 60 })).toBe(
      "200.0 req/s Poisson for about 60 s, 12,000 requests",
    );
  });
});
