import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { constantOffsets, describeConstant, formatCount, formatRate, requestCount } from "./constant.ts";

describe("constantOffsets()", () => {
  test.each([
    // rate, duration → count, offsets (ms) of the first sends, last offset
    [2, 5, 10, [0, 500, 1000], 4500], // 2 req/s for 5 s: every 500 ms, the 10th at 4.5 s
    [1000, 1, 1000, [0, 1, 2], 999], // 1 kHz: one per ms
    [3, 1, 3, [0, 1000 / 3, 2000 / 3], 2000 / 3], // uneven gaps stay exact i * 1000 / rate
    [0.5, 10, 5, [0, 2000, 4000], 8000], // below 1 req/s
    [2.3, 100, 230, [0, 1000 / 2.3], (229 * 1000) / 2.3], // 2.3 * 100 = 229.999… still counts 230
  ])("at %p req/s for %p s sends %p requests evenly spaced", (rate, durationS, count, first, last) => {
    const offsets = constantOffsets({ rate, durationS });
    expect(offsets.length).toBe(count);
    first.forEach((v, i) => {
      expect(offsets[i]).toBe(v);
    });
    expect(offsets[count - 1]).toBe(last);
  });

  test("every gap equals 1000 / rate ms, so no drift builds up over a long stage", () => {
    const offsets = constantOffsets({ rate: 7, durationS: 3600 });
    for (let i = 0; i < offsets.length; i++)
      expect(Math.abs(offsets[i]! - (i * 1000) / 7)).toBeLessThan(1e-9);
  });

  test("rejects a rate or duration that is not positive", () => {
    expect(() => requestCount({ rate: 0, durationS: 1 })).toThrow(RangeError);
    expect(() => requestCount({ rate: 1, durationS: -1 })).toThrow(RangeError);
  });

  test("describeConstant() names rate, duration and count", () => {
    expect(describeConstant({ rate: 200, durationS: 60 })).toBe(
      "200.0 req/s constant (evenly spaced) for 60 s, 12,000 requests",
    );
  });
});

describe("formatRate() and formatCount()", () => {
  const rateFormat = { minimumFractionDigits: 1, maximumFractionDigits: 3 };

  test("formatRate() writes what toLocaleString writes, for any rate", () => {
    const special = [0, -0, 1.0005, 2.5, 0.0625, 999.9996, 0.00049, 1e-7, 1e20, 1e21, 123456789012345.6];
    for (const rate of special) expect(formatRate(rate)).toBe(rate.toLocaleString("en-US", rateFormat));
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -1e16, max: 1e16 }), (rate) => {
        expect(formatRate(rate)).toBe(rate.toLocaleString("en-US", rateFormat));
      }),
      { numRuns: 5000, seed: 11 },
    );
    // Rates as configs write them: a few decimals.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 4 }), (n, places) => {
        const rate = n / 10 ** places;
        expect(formatRate(rate)).toBe(rate.toLocaleString("en-US", rateFormat));
      }),
      { numRuns: 5000, seed: 12 },
    );
  });

  test("formatCount() writes what toLocaleString writes, for any count", () => {
    for (const n of [0, -0, 7, 999, 1000, 1234567, Number.MAX_SAFE_INTEGER, 2 ** 60, 0.5]) {
      expect(formatCount(n)).toBe(n.toLocaleString("en-US"));
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(formatCount(n)).toBe(n.toLocaleString("en-US"));
      }),
      { numRuns: 2000, seed: 13 },
    );
  });
});
