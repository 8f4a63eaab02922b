import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { INITIAL_LEAD_MS, MAX_LEAD_MS, MIN_LEAD_MS, SpinLead } from "./spin-lead.ts";

/** Lateness samples (ms) uniform in [lo, hi), from a seeded generator. */
function uniformLateness(n: number, lo: number, hi: number, seed = 7): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

describe("SpinLead", () => {
  test("starts at the initial lead", () => {
    expect(new SpinLead().ms).toBe(INITIAL_LEAD_MS);
    expect(new SpinLead(0.3).ms).toBe(0.3);
  });

  test("settles near the 60th percentile of the lateness it sees", () => {
    // Lateness uniform in 50-150 µs: the 60th percentile is 110 µs.
    const lead = new SpinLead();
    const samples = uniformLateness(20_000, 0.05, 0.15);
    const seen: number[] = [];
    for (const [i, late] of samples.entries()) {
      lead.observe(late);
      if (i >= 10_000) seen.push(lead.ms);
    }
    const mean = seen.reduce((a, b) => a + b, 0) / seen.length;
    expect(mean).toBeGreaterThan(0.1);
    expect(mean).toBeLessThan(0.12);
  });

  test("shrinks toward the minimum when every wake is on time", () => {
    const lead = new SpinLead(MAX_LEAD_MS);
    for (let i = 0; i < 2_000; i++) lead.observe(0);
    expect(lead.ms).toBe(MIN_LEAD_MS);
  });

  test("grows fast after late wakes but never past the maximum", () => {
    const lead = new SpinLead(0.05);
    // Ten wakes 1 ms late: ×1.03 each, 0.05 → about 0.067 ms.
    for (let i = 0; i < 10; i++) lead.observe(1);
    expect(lead.ms).toBeCloseTo(0.05 * 1.03 ** 10, 10);
    for (let i = 0; i < 1_000; i++) lead.observe(50);
    expect(lead.ms).toBe(MAX_LEAD_MS);
  });

  test("clamps an initial lead outside its bounds", () => {
    expect(new SpinLead(0).ms).toBe(MIN_LEAD_MS);
    expect(new SpinLead(10).ms).toBe(MAX_LEAD_MS);
  });
});
