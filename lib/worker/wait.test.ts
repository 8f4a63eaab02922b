import { describe, expect, test } from "bun:test";
import { nowMs } from "../runtime/clock.ts";
import { PacePlan } from "./pace-plan.ts";
import { SpinLead } from "./spin-lead.ts";
import { CHECK_MS, createWakerWait, spinUntil, waitUntil } from "./wait.ts";

/**
 * A stand-in waker: resolves on the first setImmediate turn at or after `at` + `lateMs`, and notes
 * each request with the time it was made and the lead at that moment.
 */
function fakeWaker(lateMs = 0, lead?: SpinLead) {
  const asked: { at: number; when: number; leadMs: number }[] = [];
  const wakeAt = (at: number) => {
    asked.push({ at, when: nowMs(), leadMs: lead?.ms ?? Number.NaN });
    return spinUntil(at + lateMs);
  };
  return { asked, wakeAt };
}

describe("waitUntil() (timer, then spin)", () => {
  test("never returns before the deadline", async () => {
    for (const ahead of [0.2, 2, 7]) {
      const deadline = nowMs() + ahead;
      await waitUntil(deadline);
      expect(nowMs()).toBeGreaterThanOrEqual(deadline);
    }
  });

  test("returns at once for a deadline in the past", async () => {
    const before = nowMs();
    await waitUntil(before - 1000);
    // Generous: only shows it did not wait anything like the 1 s of a timer.
    expect(nowMs() - before).toBeLessThan(500);
  });

  test("returns early when stopped", async () => {
    let stop = false;
    setTimeout(() => {
      stop = true;
    }, 5);
    const deadline = nowMs() + 60_000;
    await waitUntil(deadline, () => stop);
    expect(nowMs()).toBeLessThan(deadline);
  });
});

describe("createWakerWait()", () => {
  test("never returns before the deadline", async () => {
    const { wakeAt } = fakeWaker();
    const wait = createWakerWait(wakeAt);
    for (const ahead of [0.05, 0.4, 3, 12]) {
      const deadline = nowMs() + ahead;
      await wait(deadline);
      expect(nowMs()).toBeGreaterThanOrEqual(deadline);
    }
  });

  test("asks to be woken the lead before the deadline, at most CHECK_MS ahead", async () => {
    const lead = new SpinLead(0.3);
    const { asked, wakeAt } = fakeWaker(0, lead);
    const wait = createWakerWait(wakeAt, new PacePlan(lead));
    const deadline = nowMs() + 120;
    await wait(deadline);
    // 120 ms away and woken at most 50 ms ahead: more than one wake-up (three when wakes are punctual).
    expect(asked.length).toBeGreaterThanOrEqual(2);
    for (const { at, when, leadMs } of asked) {
      expect(at - when).toBeLessThanOrEqual(CHECK_MS);
      expect(at).toBeLessThanOrEqual(deadline - leadMs);
    }
  });

  test("spins a wait shorter than the lead plus the shortest sleep, without a wake", async () => {
    const { asked, wakeAt } = fakeWaker();
    const plan = new PacePlan(new SpinLead(0.2));
    const wait = createWakerWait(wakeAt, plan);
    await wait(nowMs() + plan.lead.ms + plan.minSleepMs - 0.05);
    expect(asked).toEqual([]);
  });

  test("spins through a short wait while the Worker is behind schedule, without a wake", async () => {
    const { asked, wakeAt } = fakeWaker();
    const plan = new PacePlan();
    plan.sent(5);
    await createWakerWait(wakeAt, plan)(nowMs() + 1);
    expect(asked).toEqual([]);
  });

  test("teaches the lead how late wakes come", async () => {
    // Every wake comes 1 ms late, more than the 0.1 ms lead: the lead grows.
    const { wakeAt } = fakeWaker(1);
    const lead = new SpinLead(0.1);
    const plan = new PacePlan(lead);
    const wait = createWakerWait(wakeAt, plan);
    const minSleep = plan.minSleepMs;
    for (let i = 0; i < 3; i++) await wait(nowMs() + 2);
    expect(lead.ms).toBeGreaterThan(0.1);
    expect(plan.minSleepMs).toBeGreaterThan(minSleep);
  });

  test("returns early when stopped while it sleeps", async () => {
    let stop = false;
    setTimeout(() => {
      stop = true;
    }, 5);
    const { wakeAt } = fakeWaker();
    const deadline = nowMs() + 60_000;
    await createWakerWait(wakeAt)(deadline, () => stop);
    expect(nowMs()).toBeLessThan(deadline);
  });
});
