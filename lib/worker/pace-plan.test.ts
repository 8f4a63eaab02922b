import { describe, expect, test } from "bun:test";
import { BEHIND_MS, CHECK_MS, MIN_SLEEP_MS, PacePlan, SPIN_MS } from "./pace-plan.ts";
import { LATE_ALLOWANCE_MS, SpinLead } from "./spin-lead.ts";

/** A lead of `ms` (from a median lateness that much above it). */
const leadOf = (ms: number) => new SpinLead(ms + LATE_ALLOWANCE_MS);

/** A plan whose wakes have come `lateMs` late, many times over (its estimates settled). */
function settled(lateMs: number, lead = leadOf(0.1)): PacePlan {
  const plan = new PacePlan(lead);
  for (let i = 0; i < 2_000; i++) plan.woke(lateMs);
  return plan;
}

describe("PacePlan", () => {
  test("sleeps until the lead before the send time, when on schedule", () => {
    const plan = new PacePlan(leadOf(0.2));
    expect(plan.sleepMs(1)).toBeCloseTo(0.8, 10);
    expect(plan.sleepMs(10)).toBeCloseTo(9.8, 10);
  });

  test("sleeps at most CHECK_MS at a time, so a stop is seen", () => {
    expect(new PacePlan().sleepMs(1_000)).toBe(CHECK_MS);
  });

  test("spins a wait that is already over or shorter than the lead", () => {
    const plan = new PacePlan(leadOf(0.2));
    expect(plan.sleepMs(-3)).toBe(0);
    expect(plan.sleepMs(0)).toBe(0);
    expect(plan.sleepMs(0.15)).toBe(0);
  });

  test("spins a wait whose sleep would be shorter than a wake round trip", () => {
    const plan = new PacePlan(leadOf(0.2));
    const shortest = 0.2 + plan.minSleepMs;
    expect(plan.sleepMs(shortest - 0.01)).toBe(0);
    expect(plan.sleepMs(shortest + 0.01)).toBeGreaterThan(0);
  });

  test("learns the round trip from wake lateness: slow wakes make short sleeps not worth one", () => {
    // Wakes 0.6 ms late: the round trip settles near 0.6 ms (the lead near its 0.5 ms maximum), so a
    // 1 ms wait, which a quiet machine would sleep most of, is spun.
    const slow = settled(0.6);
    expect(slow.minSleepMs).toBeGreaterThan(0.5);
    expect(slow.minSleepMs).toBeLessThan(0.7);
    expect(slow.sleepMs(1)).toBe(0);
    expect(slow.sleepMs(3)).toBeGreaterThan(0);
    // Punctual wakes bring it down to the floor again.
    const quick = settled(0);
    expect(quick.minSleepMs).toBe(MIN_SLEEP_MS);
    expect(quick.sleepMs(0.5)).toBeGreaterThan(0);
  });

  test("never lets the round trip exceed SPIN_MS: a long wait still sleeps, whatever the lateness", () => {
    const plan = settled(40);
    expect(plan.minSleepMs).toBe(SPIN_MS);
    expect(plan.sleepMs(20)).toBeGreaterThan(0);
  });

  test("once a request leaves late, keeps the last SPIN_MS for spinning, as timer-then-spin does", () => {
    const plan = new PacePlan(leadOf(0.1));
    expect(plan.sleepMs(1)).toBeGreaterThan(0);
    plan.sent(BEHIND_MS + 0.5);
    expect(plan.behind).toBe(true);
    expect(plan.sleepMs(1)).toBe(0);
    expect(plan.sleepMs(SPIN_MS)).toBe(0);
    expect(plan.sleepMs(5)).toBeCloseTo(5 - SPIN_MS, 10);
  });

  test("sleeps through short gaps again once a request leaves on time", () => {
    const plan = new PacePlan(leadOf(0.1));
    plan.sent(30);
    expect(plan.sleepMs(1)).toBe(0);
    plan.sent(0.01);
    expect(plan.behind).toBe(false);
    expect(plan.sleepMs(1)).toBeCloseTo(0.9, 10);
  });

  test("a request late by less than BEHIND_MS (a late wake) is not behind", () => {
    const plan = new PacePlan();
    plan.sent(BEHIND_MS);
    expect(plan.behind).toBe(false);
  });

  test("asks for the next send's wake ahead only when that send will sleep to the lead", () => {
    const plan = new PacePlan(leadOf(0.1));
    expect(plan.aheadMs(1)).toBe(0.1);
    // Too short to be worth a wake, or long enough to be slept in pieces.
    expect(plan.aheadMs(0.1 + plan.minSleepMs)).toBeNaN();
    expect(plan.aheadMs(CHECK_MS + 1)).toBeNaN();
    plan.sent(BEHIND_MS + 1);
    expect(plan.aheadMs(1)).toBeNaN();
  });
});
