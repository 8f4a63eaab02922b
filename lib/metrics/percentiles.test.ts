import { expect, test } from "bun:test";
import fc from "fast-check";
import { defaultPercentiles, numpyMean, percentileKey, percentileSorted } from "./percentiles.ts";

// Expected values are numpy 2.4 output (`np.percentile(x, p)`, `np.mean(x)`), printed with repr().
const numpyCases: { name: string; x: number[]; mean: number; p: number[] }[] = [
  {
    name: "five values",
    x: [0.5, 0.1, 0.3, 0.9, 0.7],
    mean: 0.5,
    p: [
      0.1008, 0.10800000000000001, 0.14, 0.18, 0.3, 0.5, 0.7, 0.8200000000000001, 0.86, 0.892,
      0.8992000000000001,
    ],
  },
  {
    name: "ties",
    x: [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5],
    mean: 4,
    p: [1, 1, 1, 1, 2.5, 4, 5, 6, 7.5, 8.700000000000001, 8.970000000000006],
  },
  {
    name: "sixteen latencies",
    x: [
      0.012, 0.0131, 0.0099, 0.0142, 0.011, 0.0125, 0.0137, 0.0101, 0.0119, 0.0128, 0.0133, 0.0105, 0.0116,
      0.0122, 0.0139, 0.0108,
    ],
    mean: 0.01209375,
    p: [
      0.009903, 0.009930000000000001, 0.01005, 0.0103, 0.01095, 0.0121, 0.01315, 0.0138, 0.013975,
      0.014155000000000001, 0.014195500000000002,
    ],
  },
];

test.each(numpyCases)("percentileSorted() matches numpy.percentile bit for bit ($name)", ({ x, p }) => {
  const sorted = Float64Array.from(x).sort();
  expect(defaultPercentiles.map((q) => percentileSorted(sorted, q))).toEqual(p);
});

test.each(numpyCases)("numpyMean() matches numpy.mean ($name)", ({ x, mean }) => {
  expect(numpyMean(x)).toBe(mean);
});

test("numpyMean() sums pairwise like numpy, not left to right", () => {
  // 1000 values: numpy gives 71.35714285714288, a naive loop 71.35714285714286.
  const x = Array.from({ length: 1000 }, (_, i) => ((i * 37) % 1000) / 7);
  expect(numpyMean(x)).toBe(71.35714285714288);
  // 217 values split into halves at a multiple of 8: numpy 0.10276497695852536.
  const y = [
    ...Array(10).fill(0.1),
    ...Array(7).fill(0.2),
    ...Array.from({ length: 200 }, (_, i) => 1e-3 * i),
  ];
  expect(numpyMean(y)).toBe(0.10276497695852536);
});

test("percentileSorted() of one value is that value, and of none is NaN", () => {
  expect(percentileSorted([42], 99.9)).toBe(42);
  expect(percentileSorted([], 50)).toBeNaN();
});

test("percentileKey() names keys as inference-perf does", () => {
  expect(defaultPercentiles.map(percentileKey)).toEqual([
    "p0.1",
    "p1",
    "p5",
    "p10",
    "p25",
    "median",
    "p75",
    "p90",
    "p95",
    "p99",
    "p99.9",
  ]);
  expect(percentileKey(99.99)).toBe("p99.99");
});

test("percentiles are ordered, bounded by min and max, for any sample", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
      (x) => {
        const sorted = Float64Array.from(x).sort();
        const values = defaultPercentiles.map((p) => percentileSorted(sorted, p));
        for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
        expect(values[0]!).toBeGreaterThanOrEqual(sorted[0]!);
        expect(values[values.length - 1]!).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
      },
    ),
    { numRuns: 200 },
  );
});
