import { describe, expect, test } from "bun:test";
import { createRng, workerSeed } from "./rng.ts";

describe("createRng()", () => {
  test("gives the same sequence for the same seed", () => {
    const a = createRng(42);
    const b = createRng(42);
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
  });

  test("gives different sequences for neighbouring seeds", () => {
    const a = createRng(1);
    const b = createRng(2);
    let same = 0;
    for (let i = 0; i < 100; i++) if (a.next() === b.next()) same++;
    expect(same).toBe(0);
  });

  test("next() is uniform in [0, 1): mean and variance within 4 standard errors for 100k draws", () => {
    const rng = createRng(7);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    // Var(U) = 1/12, sd(mean) = sqrt(1/12/n) ~ 0.00091
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  test("normal() has mean 0 and variance 1 within bounds for 100k draws", () => {
    const rng = createRng(9);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sumSq += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.03);
  });

  test("int(n) stays in [0, n)", () => {
    const rng = createRng(3);
    for (let i = 0; i < 1000; i++) {
      const k = rng.int(5);
      expect(Number.isInteger(k) && k >= 0 && k < 5).toBe(true);
    }
  });
});

describe("workerSeed()", () => {
  test.each([
    [0, 0, 0],
    [100, 3, 103],
    [4294967295, 1, 0],
    [4294967290, 10, 4],
  ])("(%d + %d) %% 2^32 = %d", (base, worker, expected) => {
    expect(workerSeed(base, worker)).toBe(expected);
  });
});
