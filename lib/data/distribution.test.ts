import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import {
  type Distribution,
  type DistributionType,
  generateDistribution,
  poisson,
  resolveDistribution,
  roundHalfEven,
  sampleFromDistribution,
} from "./distribution.ts";

const N = 10_000;

function dist(type: DistributionType, over: Partial<Distribution> = {}): Distribution {
  return { min: 10, max: 4096, mean: 512, stdDev: 200, type, skew: 0, totalCount: null, ...over };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function expectWithinBounds(xs: number[], d: Distribution): void {
  expect(xs.length).toBe(N);
  for (const x of xs) {
    expect(Number.isInteger(x)).toBe(true);
    expect(x).toBeGreaterThanOrEqual(d.min);
    expect(x).toBeLessThanOrEqual(d.max);
  }
}

describe("generateDistribution() (random and synthetic)", () => {
  // [type, distribution, expected mean] — expected means derived in each row's comment.
  test.each([
    ["normal", dist("normal", { mean: 500, stdDev: 100 }), 500], // clipping at 10/4096 is > 4.9 sd away
    ["lognormal", dist("lognormal", { mean: 512, stdDev: 200 }), 512], // min + (mean - min), tail clip negligible
    ["uniform", dist("uniform", { min: 100, max: 300 }), 200], // U(100, 300)
    ["fixed", dist("fixed", { mean: 256.9 }), 256], // trunc(mean)
  ] as const)(
    "%s: 10,000 samples have the expected mean within 2%% and respect the bounds",
    (_name, d, expected) => {
      const xs = generateDistribution(d, N, createRng(42));
      expectWithinBounds(xs, d);
      expect(Math.abs(mean(xs) - expected) / expected).toBeLessThan(0.02);
    },
  );

  test("clamps to [min, max]: a wide normal piles up on both bounds", () => {
    const d = dist("normal", { min: 400, max: 600, mean: 500, stdDev: 1000 });
    const xs = generateDistribution(d, N, createRng(1));
    expect(Math.min(...xs)).toBe(400);
    expect(Math.max(...xs)).toBe(600);
    expect(xs.filter((x) => x === 400).length).toBeGreaterThan(N / 4);
  });

  test("rejects a normal mean outside [min, max], as inference-perf does", () => {
    expect(() =>
      generateDistribution(dist("normal", { mean: 5 }), 10, createRng(1), "data.input_distribution"),
    ).toThrow("data.input_distribution.mean: expected a value within [10, 4096]");
  });

  test("rejects skew_normal and poisson, which upstream only samples for shared_prefix", () => {
    expect(() => generateDistribution(dist("poisson"), 10, createRng(1))).toThrow(
      "expected normal, lognormal",
    );
    expect(() => generateDistribution(dist("skew_normal"), 10, createRng(1))).toThrow(
      "expected normal, lognormal",
    );
  });

  test("gives the same lengths for the same seed and different ones for another seed", () => {
    const d = dist("normal");
    expect(generateDistribution(d, 100, createRng(7))).toEqual(generateDistribution(d, 100, createRng(7)));
    expect(generateDistribution(d, 100, createRng(7))).not.toEqual(
      generateDistribution(d, 100, createRng(8)),
    );
  });
});

describe("sampleFromDistribution() (shared_prefix)", () => {
  const delta = 3 / Math.sqrt(10);
  test.each([
    ["normal", dist("normal", { mean: 500, stdDev: 100 }), 500],
    // Azzalini: E = loc + sd·δ·√(2/π) with δ = skew/√(1+skew²)
    [
      "skew_normal",
      dist("skew_normal", { mean: 500, stdDev: 100, skew: 3 }),
      500 + 100 * delta * Math.sqrt(2 / Math.PI),
    ],
    ["lognormal", dist("lognormal", { mean: 512, stdDev: 200 }), 512], // moment-matched on the unshifted mean
    ["uniform", dist("uniform", { min: 100, max: 300 }), 200], // U(100, 301) rounded: integers 100..300
    ["poisson small λ", dist("poisson", { min: 0, mean: 12 }), 12],
    ["poisson large λ", dist("poisson", { mean: 700 }), 700], // PTRS branch
    ["fixed", dist("fixed", { mean: 64 }), 64],
  ] as const)(
    "%s: 10,000 samples have the expected mean within 2%% and respect the bounds",
    (_name, d, expected) => {
      const xs = sampleFromDistribution(d, N, createRng(99));
      expectWithinBounds(xs, d);
      expect(Math.abs(mean(xs) - expected) / expected).toBeLessThan(0.02);
    },
  );

  test("uniform on [0, 9] draws U(0, 10): 0 gets half a bin, 9 gets one and a half (upstream's rounding)", () => {
    // Rounding sends [8.5, 9.5) to 9 and clipping sends [9.5, 10) to 9 as well: 1.5/10 of the mass.
    const d = dist("uniform", { min: 0, max: 9 });
    const xs = sampleFromDistribution(d, N, createRng(3));
    const count = (v: number) => xs.filter((x) => x === v).length;
    expect(Math.abs(count(9) - 0.15 * N)).toBeLessThan(250);
    expect(Math.abs(count(0) - 0.05 * N)).toBeLessThan(250);
    expect(Math.abs(count(4) - 0.1 * N)).toBeLessThan(250);
  });

  test("poisson() has variance close to λ in both branches", () => {
    for (const lambda of [4, 400]) {
      const rng = createRng(lambda);
      const xs = Array.from({ length: N }, () => poisson(lambda, rng));
      const m = mean(xs);
      const variance = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (N - 1);
      expect(Math.abs(variance - lambda) / lambda).toBeLessThan(0.1);
    }
  });

  test("rejects a lognormal with mean <= 0", () => {
    expect(() => sampleFromDistribution(dist("lognormal", { mean: 0, min: 0 }), 5, createRng(1))).toThrow(
      "expected a number > 0",
    );
  });
});

describe("resolveDistribution()", () => {
  test("fills inference-perf's defaults", () => {
    expect(resolveDistribution({})).toEqual({
      min: 10,
      max: 1024,
      mean: 512,
      stdDev: 200,
      type: "normal",
      skew: 0,
      totalCount: null,
    });
  });

  test("takes std_dev from variance when variance is set", () => {
    expect(resolveDistribution({ variance: 400, std_dev: 0 }).stdDev).toBe(20);
  });

  test.each([
    [{ min: 5, max: 1 }, "expected min <= max"],
    [{ variance: -1 }, "variance: expected a number >= 0"],
    [{ type: "gamma" }, "type: expected one of normal, skew_normal"],
  ] as const)("rejects %j", (config, message) => {
    expect(() => resolveDistribution(config, "data.output_distribution")).toThrow(message);
  });
});

test.each([
  [2.5, 2],
  [3.5, 4],
  [-2.5, -2],
  [2.4, 2],
  [2.6, 3],
])("roundHalfEven(%d) is %d, as numpy rounds", (x, expected) => {
  expect(roundHalfEven(x)).toBe(expected);
});
