import { expect, test } from "bun:test";
import fc from "fast-check";
import { Distribution } from "./distribution.ts";
import { defaultPercentiles, numpyMean, percentileKey, percentileSorted } from "./percentiles.ts";

const percentiles = defaultPercentiles;

function exactSummary(values: number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  return [numpyMean(values), min, ...percentiles.map((p) => percentileSorted(sorted, p)), max];
}

test("an empty distribution summarizes to null", () => {
  expect(new Distribution().summarize(percentiles)).toBeNull();
});

test("summaries list mean, min, the percentiles and max in inference-perf's order", () => {
  const d = new Distribution();
  for (const v of [3, 1, 2]) d.add(v);
  // The percentiles' own names are percentileKey()'s (tested with it).
  expect(Object.keys(d.summarize(percentiles)!)).toEqual([
    "mean",
    "min",
    ...percentiles.map(percentileKey),
    "max",
  ]);
});

test("below the exact limit the summary equals the numpy computation on all values (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 500 }),
      (values) => {
        const d = new Distribution(1000);
        for (const v of values) d.add(v);
        expect(d.exact).toBe(true);
        expect(Object.values(d.summarize(percentiles)!)).toEqual(exactSummary(values));
      },
    ),
    { numRuns: 100 },
  );
});

test("merge() is associative and equals adding everything to one distribution (property)", () => {
  const sample = fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { maxLength: 60 });
  fc.assert(
    fc.property(sample, sample, sample, (a, b, c) => {
      const of = (values: number[]) => {
        const d = new Distribution();
        for (const v of values) d.add(v);
        return d;
      };
      const left = Distribution.merge(Distribution.merge(of(a), of(b)), of(c)).summarize(percentiles);
      const right = Distribution.merge(of(a), Distribution.merge(of(b), of(c))).summarize(percentiles);
      expect(left).toEqual(right);
      expect(left).toEqual(of([...a, ...b, ...c]).summarize(percentiles));
    }),
    { numRuns: 100 },
  );
});

test("past the exact limit the sketch keeps every percentile within 0.1% and min, max, count exact", () => {
  // 20,000 ITL-like values (1–60 ms, some zeros and negatives as schedule delays have) with a 1,000 limit.
  const values: number[] = [];
  let x = 12345;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648;
    values.push(i % 97 === 0 ? 0 : i % 89 === 0 ? -u * 0.002 : 0.001 + u * u * 0.059);
  }
  const d = new Distribution(1000);
  for (const v of values) d.add(v);
  expect(d.exact).toBe(false);
  expect(d.count).toBe(20_000);
  const got = Object.values(d.summarize(percentiles)!);
  const want = exactSummary(values);
  expect(got[1]).toBe(want[1]); // min
  expect(got[got.length - 1]).toBe(want[want.length - 1]); // max
  expect(Math.abs(got[0]! - want[0]!)).toBeLessThan(1e-12); // mean
  for (let i = 2; i < got.length - 1; i++) {
    const tolerance = Math.abs(want[i]!) * 0.001 + 1e-9;
    expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(tolerance);
  }
});

test("NaN samples are ignored", () => {
  const d = new Distribution();
  d.add(Number.NaN);
  d.add(1);
  expect(d.count).toBe(1);
});

test("after the switch to the sketch the mean is the running sum of every value in add order", () => {
  const d = new Distribution(40);
  const values: number[] = [];
  for (let i = 0; i < 500; i++) {
    const v = ((i * 7919) % 1000) / 37 - 3;
    values.push(v);
    d.add(v);
  }
  let sum = 0;
  for (const v of values) sum += v;
  const summary = d.summarize([50]);
  expect(d.exact).toBe(false);
  expect(summary?.mean).toBe(sum / values.length);
  expect(summary?.min).toBe(Math.min(...values));
  expect(summary?.max).toBe(Math.max(...values));
});
