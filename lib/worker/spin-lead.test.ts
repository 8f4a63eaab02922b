import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { INITIAL_LATE_MS, LATE_ALLOWANCE_MS, MAX_LEAD_MS, MIN_LEAD_MS, SpinLead } from "./spin-lead.ts";

/** Lateness samples (ms) uniform in [lo, hi), from a seeded generator. */
function uniformLateness(n: number, lo: number, hi: number, seed = 7): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

describe("SpinLead", () => {
  test("starts at the initial median lateness less the allowance", () => {
    expect(new SpinLead().lateMs).toBe(INITIAL_LATE_MS);
    expect(new SpinLead().ms).toBeCloseTo(INITIAL_LATE_MS - LATE_ALLOWANCE_MS, 10);
    expect(new SpinLead(0.3).ms).toBeCloseTo(0.3 - LATE_ALLOWANCE_MS, 10);
  });

  test("settles near the median lateness it sees, and the lead that much less the allowance", () => {
    // Lateness uniform in 100-200 µs: the median is 150 µs, so the lead settles near 110 µs.
    const lead = new SpinLead();
    const samples = uniformLateness(20_000, 0.1, 0.2);
    const late: number[] = [];
    const leads: number[] = [];
    for (const [i, sample] of samples.entries()) {
      lead.observe(sample);
      if (i >= 10_000) {
        late.push(lead.lateMs);
        leads.push(lead.ms);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(late)).toBeGreaterThan(0.14);
    expect(mean(late)).toBeLessThan(0.16);
    expect(mean(leads)).toBeCloseTo(mean(late) - LATE_ALLOWANCE_MS, 10);
    // Half the wakes come no later than the allowance after the send time.
    const withinAllowance = samples.slice(10_000).filter((s) => s - mean(leads) <= LATE_ALLOWANCE_MS);
    expect(withinAllowance.length / 10_000).toBeGreaterThan(0.45);
  });

  test("shrinks toward the minimum when every wake is on time", () => {
    const lead = new SpinLead(1);
    for (let i = 0; i < 2_000; i++) lead.observe(0);
    expect(lead.ms).toBe(MIN_LEAD_MS);
  });

  test("grows after late wakes but never past the maximum", () => {
    const lead = new SpinLead(0.1);
    // Ten wakes 1 ms late: the median ×1.025 each, 0.1 → about 0.128 ms.
    for (let i = 0; i < 10; i++) lead.observe(1);
    expect(lead.lateMs).toBeCloseTo(0.1 * 1.025 ** 10, 10);
    for (let i = 0; i < 1_000; i++) lead.observe(50);
    expect(lead.ms).toBe(MAX_LEAD_MS);
  });

  test("clamps the lead to its bounds whatever the lateness", () => {
    expect(new SpinLead(0).ms).toBe(MIN_LEAD_MS);
    expect(new SpinLead(10).ms).toBe(MAX_LEAD_MS);
  });
});
