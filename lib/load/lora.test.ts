import { describe, expect, test } from "bun:test";
import { createLoraPicker, type LoraSplitEntry } from "./lora.ts";
import { createRng } from "./rng.ts";

const split: LoraSplitEntry[] = [
  { name: "movie", split: 0.5 },
  { name: "consumer", split: 0.3 },
  { name: "legal", split: 0.2 },
];

function draws(pick: () => string | null, n: number): (string | null)[] {
  return Array.from({ length: n }, () => pick());
}

describe("createLoraPicker()", () => {
  test("gives the same adapter sequence for the same seed", () => {
    const a = draws(createLoraPicker(split, createRng(123)), 1000);
    const b = draws(createLoraPicker(split, createRng(123)), 1000);
    expect(a).toEqual(b);
    const c = draws(createLoraPicker(split, createRng(124)), 1000);
    expect(c).not.toEqual(a);
  });

  test("picks each adapter with its weight, within 4 binomial standard deviations over 10k draws", () => {
    const n = 10_000;
    const counts = new Map<string, number>();
    for (const name of draws(createLoraPicker(split, createRng(2024)), n)) {
      counts.set(name as string, (counts.get(name as string) ?? 0) + 1);
    }
    for (const { name, split: p } of split) {
      const sigma = Math.sqrt(n * p * (1 - p)); // 50% → 50, 30% → 45.8, 20% → 40
      expect(Math.abs((counts.get(name) ?? 0) - n * p)).toBeLessThan(4 * sigma);
    }
  });

  test("returns null without drawing from the RNG when no split is configured", () => {
    const rng = createRng(9);
    const reference = createRng(9);
    expect(createLoraPicker(null, rng)()).toBeNull();
    expect(createLoraPicker([], rng)()).toBeNull();
    expect(rng.next()).toBe(reference.next());
  });

  test("consumes exactly one draw per pick, even with a single adapter", () => {
    const rng = createRng(5);
    const reference = createRng(5);
    const pick = createLoraPicker([{ name: "only", split: 1 }], rng);
    for (let i = 0; i < 10; i++) expect(pick()).toBe("only");
    for (let i = 0; i < 10; i++) reference.next();
    expect(rng.next()).toBe(reference.next());
  });

  test("never picks an adapter whose weight is 0", () => {
    const pick = createLoraPicker(
      [
        { name: "off", split: 0 },
        { name: "a", split: 0.5 },
        { name: "off-too", split: 0 },
        { name: "b", split: 0.5 },
        { name: "off-last", split: 0 },
      ],
      createRng(77),
    );
    const seen = new Set(draws(pick, 5000));
    expect([...seen].sort()).toEqual(["a", "b"]);
  });

  test("maps draws to adapters by cumulative weight: u < 0.5 → movie, < 0.8 → consumer, else legal", () => {
    // A fake RNG replaying chosen uniforms checks the boundaries exactly.
    const uniforms = [0, 0.4999, 0.5, 0.7999, 0.8, 0.9999999];
    let i = 0;
    const fake = { next: () => uniforms[i++] as number, int: () => 0, normal: () => 0, exponential: () => 1 };
    const pick = createLoraPicker(split, fake);
    expect(draws(pick, uniforms.length)).toEqual([
      "movie",
      "movie",
      "consumer",
      "consumer",
      "legal",
      "legal",
    ]);
  });

  test("binary search over many adapters agrees with a linear scan", () => {
    const many = Array.from({ length: 100 }, (_, k) => ({
      name: `a${k}`,
      split: k % 7 === 0 ? 0 : (k % 5) + 1,
    }));
    const total = many.reduce((s, e) => s + e.split, 0);
    const rngA = createRng(31);
    const rngB = createRng(31);
    const pick = createLoraPicker(many, rngA);
    for (let n = 0; n < 5000; n++) {
      const u = rngB.next() * total;
      let acc = 0;
      let expected = "";
      for (const e of many) {
        acc += e.split;
        if (u < acc) {
          expected = e.name;
          break;
        }
      }
      expect(pick()).toBe(expected);
    }
  });

  test("rejects negative, non-finite or all-zero weights", () => {
    const rng = createRng(1);
    expect(() => createLoraPicker([{ name: "x", split: -0.1 }], rng)).toThrow(RangeError);
    expect(() => createLoraPicker([{ name: "x", split: Number.NaN }], rng)).toThrow(RangeError);
    expect(() => createLoraPicker([{ name: "x", split: 0 }], rng)).toThrow(RangeError);
  });
});
