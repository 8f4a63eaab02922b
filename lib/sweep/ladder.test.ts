import { describe, expect, test } from "bun:test";
import { geomspace, ladderRates, linspace, roundPython2 } from "./ladder.ts";

// Expected values printed by Python 3 / numpy:
//   [float(round(r, 2)) for r in np.linspace(1, S, n)]
//   [float(round(1 + S - r, 2)) for r in np.geomspace(S, 1, num=n)]
describe("ladderRates()", () => {
  test.each([
    // S, n, linear, geometric
    [100, 5, [1, 25.75, 50.5, 75.25, 100], [1, 69.38, 91, 97.84, 100]], // the spec's example
    [37.3, 4, [1, 13.1, 25.2, 37.3], [1, 27.14, 34.96, 37.3]],
    [
      1234.567,
      7,
      [1, 206.59, 412.19, 617.78, 823.38, 1028.97, 1234.57],
      [1, 858.64, 1120.48, 1200.43, 1224.84, 1232.29, 1234.57],
    ],
    [
      250,
      10,
      [1, 28.67, 56.33, 84, 111.67, 139.33, 167, 194.67, 222.33, 250],
      [1, 115.64, 177.71, 211.31, 229.51, 239.37, 244.7, 247.59, 249.15, 250],
    ],
    [0.5, 3, [1, 0.75, 0.5], [1, 0.79, 0.5]], // a server slower than 1 req/s: the ladder runs downward
    [2.5, 1, [1], [1]], // one stage: numpy gives the start value
  ])("S=%p n=%p gives inference-perf's linear and geometric rates", (s, n, linear, geometric) => {
    expect(ladderRates(s, n, "linear")).toEqual(linear);
    expect(ladderRates(s, n, "geometric")).toEqual(geometric);
  });

  test("rejects a saturation rate that is not positive and a stage count below 1", () => {
    expect(() => ladderRates(0, 5, "linear")).toThrow(RangeError);
    expect(() => ladderRates(Number.NaN, 5, "linear")).toThrow(RangeError);
    expect(() => ladderRates(10, 0, "geometric")).toThrow(RangeError);
    expect(() => ladderRates(10, 2.5, "geometric")).toThrow(RangeError);
  });
});

describe("linspace() and geomspace()", () => {
  test("linspace() ends exactly at stop and steps evenly", () => {
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(1, 0.1, 4).at(-1)).toBe(0.1);
  });

  test("geomspace() keeps a constant ratio and exact endpoints", () => {
    const g = geomspace(1000, 1, 4);
    expect(g[0]).toBe(1000);
    expect(g[3]).toBe(1);
    expect(g[1]).toBeCloseTo(100, 10);
    expect(g[2]).toBeCloseTo(10, 10);
  });
});

describe("roundPython2()", () => {
  test.each([
    // x, Python's round(x, 2)
    [0.125, 0.12], // exact tie → even
    [0.375, 0.38], // exact tie → even
    [0.625, 0.62],
    [-0.125, -0.12],
    [2.675, 2.67], // stored as 2.67499…: not a tie
    [1.005, 1], // stored as 1.00499…
    [12.345, 12.35],
    [97.84, 97.84],
  ])("round(%p, 2) = %p", (x, expected) => {
    expect(roundPython2(x)).toBe(expected);
  });
});
