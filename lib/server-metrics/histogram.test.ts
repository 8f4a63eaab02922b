import { describe, expect, test } from "bun:test";
import { type Bucket, histogramQuantile, mean, sampleQuantile } from "./histogram.ts";

const inf = Number.POSITIVE_INFINITY;
// 100 observations: 10 in (0, 0.1], 40 in (0.1, 0.5], 40 in (0.5, 1], 10 above 1.
const buckets: Bucket[] = [
  { le: 0.1, count: 10 },
  { le: 0.5, count: 50 },
  { le: 1, count: 90 },
  { le: inf, count: 100 },
];

describe("histogramQuantile()", () => {
  test.each([
    // rank 50 is the end of the (0.1, 0.5] bucket.
    [0.5, 0.5],
    // rank 25: 15 of the 40 in (0.1, 0.5] → 0.1 + 0.4 × 15/40.
    [0.25, 0.25],
    // rank 5 in the first bucket, whose lower bound is taken as 0: 0.1 × 5/10.
    [0.05, 0.05],
    // rank 90 ends the (0.5, 1] bucket.
    [0.9, 1],
    // rank 99 falls in +Inf: the highest finite bound.
    [0.99, 1],
  ])("quantile %p of a known histogram is %p", (q, expected) => {
    expect(histogramQuantile(q, buckets)).toBeCloseTo(expected, 12);
  });

  test("bucket order in the input does not matter", () => {
    expect(histogramQuantile(0.25, [...buckets].reverse())).toBeCloseTo(0.25, 12);
  });

  test("no observations, no +Inf bucket, or one bucket → NaN; φ outside [0, 1] → ±Inf", () => {
    expect(
      histogramQuantile(
        0.5,
        buckets.map((b) => ({ ...b, count: 0 })),
      ),
    ).toBeNaN();
    expect(histogramQuantile(0.5, buckets.slice(0, 3))).toBeNaN();
    expect(histogramQuantile(0.5, [{ le: inf, count: 3 }])).toBeNaN();
    expect(histogramQuantile(-0.1, buckets)).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramQuantile(1.1, buckets)).toBe(inf);
  });

  test("cumulative counts that dip are raised to the running maximum", () => {
    const dipping: Bucket[] = [
      { le: 1, count: 10 },
      { le: 2, count: 8 },
      { le: inf, count: 10 },
    ];
    expect(histogramQuantile(0.5, dipping)).toBeCloseTo(0.5, 12);
  });

  test("a first bucket with a bound <= 0 returns that bound", () => {
    expect(
      histogramQuantile(0.1, [
        { le: -1, count: 5 },
        { le: inf, count: 10 },
      ]),
    ).toBe(-1);
  });
});

describe("sampleQuantile() and mean()", () => {
  test("interpolates at φ × (n − 1), as quantile_over_time and numpy do", () => {
    expect(sampleQuantile(0.5, [4, 1, 3, 2])).toBe(2.5);
    expect(sampleQuantile(0.9, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toBe(10);
    expect(sampleQuantile(0.99, [0, 100])).toBe(99);
    expect(sampleQuantile(0.5, [])).toBeNaN();
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNaN();
  });
});
