import { describe, expect, test } from "bun:test";
import { nowMs } from "../runtime/clock.ts";
import { PacePlan } from "./pace-plan.ts";
import { SpinLead } from "./spin-lead.ts";
import { CHECK_MS, createWakerWait, spinUntil, type Wakes, waitUntil } from "./wait.ts";

/**
 * A stand-in waker: wake n resolves on the first setImmediate turn at or after its time + `lateMs`;
 * notes each request with the time it was made and the lead at that moment.
 */
function fakeWaker(lateMs = 0, lead?: SpinLead) {
  const asked: { at: number; when: number; leadMs: number }[] = [];
  const awaited: number[] = [];
  const wakes: Wakes = {
    request(at) {
      asked.push({ at, when: nowMs(), leadMs: lead?.ms ?? Number.NaN });
      return asked.length - 1;
    },
    reached(n) {
      awaited.push(n);
      return spinUntil(asked[n]!.at + lateMs);
    },
  };
  return { asked, awaited, wakes };
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
    const { wakes } = fakeWaker();
    const wait = createWakerWait(wakes);
    for (const ahead of [0.05, 0.4, 3, 12]) {
      const deadline = nowMs() + ahead;
      await wait(deadline);
      expect(nowMs()).toBeGreaterThanOrEqual(deadline);
    }
  });

  test("asks to be woken the lead before the deadline, at most CHECK_MS ahead", async () => {
    const lead = new SpinLead(0.3);
    const { asked, wakes } = fakeWaker(0, lead);
    const wait = createWakerWait(wakes, new PacePlan(lead));
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
    const { asked, wakes } = fakeWaker();
    const plan = new PacePlan(new SpinLead(0.2));
    const wait = createWakerWait(wakes, plan);
    await wait(nowMs() + plan.lead.ms + plan.minSleepMs - 0.05);
    expect(asked).toEqual([]);
  });

  test("spins through a short wait while the Worker is behind schedule, without a wake", async () => {
    const { asked, wakes } = fakeWaker();
    const plan = new PacePlan();
    plan.sent(5);
    await createWakerWait(wakes, plan)(nowMs() + 1);
    expect(asked).toEqual([]);
  });

  test("asks for the next send's wake with this one's, and the next wait uses it without asking again", async () => {
    const { asked, awaited, wakes } = fakeWaker();
    const plan = new PacePlan(new SpinLead(0.1));
    const wait = createWakerWait(wakes, plan);
    // Gaps long enough that a busy machine's stalls do not turn either wait into a spin, and under
    // CHECK_MS, so each sleeps to its lead in one piece.
    const first = nowMs() + 10;
    const second = first + 40;
    const lead = plan.lead.ms;
    await wait(first, undefined, second);
    // This send's wake, and the next one's (a lead before it), asked for together.
    expect(asked).toHaveLength(2);
    expect(asked[1]!.at).toBeCloseTo(second - lead, 6);
    expect(awaited).toEqual([0]);
    await wait(second);
    // The next wait awaited the wake asked for ahead and asked for none.
    expect(asked).toHaveLength(2);
    expect(awaited).toEqual([0, 1]);
    expect(nowMs()).toBeGreaterThanOrEqual(second);
  });

  test("asks nothing ahead while behind schedule, and ignores a wake asked ahead for another time", async () => {
    const { asked, awaited, wakes } = fakeWaker();
    const plan = new PacePlan(new SpinLead(0.1));
    const wait = createWakerWait(wakes, plan);
    const first = nowMs() + 10;
    await wait(first, undefined, first + 40);
    expect(asked).toHaveLength(2);
    // The loop went elsewhere (another send time): a fresh wake is asked for and awaited.
    const other = nowMs() + 10;
    await wait(other);
    expect(asked).toHaveLength(3);
    expect(awaited).toEqual([0, 2]);
    plan.sent(10);
    const late = nowMs() + 10;
    await wait(late, undefined, late + 40);
    expect(asked).toHaveLength(4);
  });

  test("teaches the lead how late wakes come", async () => {
    // Every wake comes 1 ms late, more than the 0.1 ms lead: the lead grows.
    const { wakes } = fakeWaker(1);
    const lead = new SpinLead(0.1);
    const plan = new PacePlan(lead);
    const wait = createWakerWait(wakes, plan);
    const minSleep = plan.minSleepMs;
    const before = lead.ms;
    for (let i = 0; i < 3; i++) await wait(nowMs() + 2);
    expect(lead.ms).toBeGreaterThan(before);
    expect(plan.minSleepMs).toBeGreaterThan(minSleep);
  });

  test("announces the send time before the sleep towards it, and nothing when it spins", async () => {
    const { wakes } = fakeWaker();
    const announced: number[] = [];
    const plan = new PacePlan(new SpinLead(0.1));
    const wait = createWakerWait(wakes, plan, (d) => announced.push(d));
    const far = nowMs() + 20;
    await wait(far);
    expect(announced).toEqual([far]);
    // Too short to sleep: spun, so nothing for the other threads to step aside for.
    await wait(nowMs() + plan.lead.ms + plan.minSleepMs - 0.05);
    expect(announced).toEqual([far]);
  });

  test("returns early when stopped while it sleeps", async () => {
    let stop = false;
    setTimeout(() => {
      stop = true;
    }, 5);
    const { wakes } = fakeWaker();
    const deadline = nowMs() + 60_000;
    await createWakerWait(wakes)(deadline, () => stop);
    expect(nowMs()).toBeLessThan(deadline);
  });
});
