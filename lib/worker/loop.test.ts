import { describe, expect, test } from "bun:test";
import { nowMs } from "../runtime/clock.ts";
import { runLoop } from "./loop.ts";
import { Semaphore } from "./semaphore.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every request built already: take(k) always has it. */
const built = { take: (k: number) => k, arrival: () => new Promise<void>(() => {}) };

describe("runLoop()", () => {
  test("sends every request of a rate schedule, never before it is due, in order", async () => {
    const t0 = nowMs() + 5;
    const offsets = [0, 0.5, 1, 3, 3, 8];
    const seen: { k: number; at: number; due: number }[] = [];
    const result = await runLoop({
      schedule: { count: offsets.length, dueMs: (k) => t0 + offsets[k]! },
      slots: new Semaphore(10),
      stopped: () => false,
      ...built,
      send: async (k, due) => {
        seen.push({ k, at: nowMs(), due });
      },
    });
    expect(result).toEqual({ started: 6, waitedForBody: 0 });
    expect(seen.map((s) => s.k)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const s of seen) {
      expect(s.due).toBe(t0 + offsets[s.k]!);
      expect(s.at).toBeGreaterThanOrEqual(s.due);
    }
  });

  test("tells `sent` how late each request left, before it is sent", async () => {
    // Request 1 is due 40 ms before the stage's clock reaches it: it leaves at least that late.
    const t0 = nowMs() + 2;
    const offsets = [0, -40, 3];
    const late: number[] = [];
    const sentAt: number[] = [];
    await runLoop({
      schedule: { count: offsets.length, dueMs: (k) => t0 + offsets[k]! },
      slots: new Semaphore(10),
      stopped: () => false,
      ...built,
      send: async () => {
        sentAt.push(late.length);
      },
      sent: (lateMs) => late.push(lateMs),
    });
    expect(late).toHaveLength(3);
    expect(sentAt).toEqual([1, 2, 3]);
    expect(late[1]!).toBeGreaterThanOrEqual(40);
    for (const l of late) expect(l).toBeGreaterThanOrEqual(0);
  });

  test("calls `departed` right after each send has started (send-clock.ts: the others go on)", async () => {
    const t0 = nowMs() + 2;
    const events: string[] = [];
    await runLoop({
      schedule: { count: 3, dueMs: (k) => t0 + k },
      slots: new Semaphore(10),
      stopped: () => false,
      ...built,
      send: (k) => {
        events.push(`send ${k}`);
        return new Promise<void>((resolve) => setTimeout(resolve, 1));
      },
      departed: () => events.push("departed"),
    });
    expect(events).toEqual(["send 0", "departed", "send 1", "departed", "send 2", "departed"]);
  });

  test("keeps a closed loop at exactly its slot count until the requests run out", async () => {
    let running = 0;
    let peak = 0;
    const levels: number[] = [];
    const t0 = nowMs();
    const { started } = await runLoop({
      schedule: { count: 40, dueMs: () => t0 },
      slots: new Semaphore(4),
      stopped: () => false,
      ...built,
      send: async (k) => {
        running++;
        peak = Math.max(peak, running);
        levels.push(running);
        await sleep(1 + (k % 3));
        running--;
      },
    });
    expect(started).toBe(40);
    expect(peak).toBe(4);
    // Each request after the first four starts as one finishes: the level is 4 at every start.
    expect(levels.slice(3).every((l) => l === 4)).toBe(true);
  });

  test("makes a due request wait for a slot instead of dropping it, and waits for all to finish", async () => {
    const t0 = nowMs();
    const sent: number[] = [];
    let finished = 0;
    await runLoop({
      schedule: { count: 5, dueMs: () => t0 },
      slots: new Semaphore(1),
      stopped: () => false,
      ...built,
      send: async (k) => {
        sent.push(k);
        await sleep(2);
        finished++;
      },
    });
    expect(sent).toEqual([0, 1, 2, 3, 4]);
    expect(finished).toBe(5);
  });

  test("stops scheduling when stopped, letting started requests finish", async () => {
    let stop = false;
    let finished = 0;
    const t0 = nowMs();
    const { started } = await runLoop({
      schedule: { count: 1000, dueMs: (k) => t0 + k * 2 },
      slots: new Semaphore(100),
      stopped: () => stop,
      ...built,
      send: async (k) => {
        if (k === 3) stop = true;
        await sleep(5);
        finished++;
      },
    });
    expect(started).toBe(4);
    expect(finished).toBe(4);
  });
});

/** A builder stand-in: requests k < `available` are built; `deliver(n)` builds up to n and wakes the loop. */
function lateBuilder() {
  let available = 0;
  let wake: (() => void) | null = null;
  const taken: number[] = [];
  return {
    taken,
    take: (k: number) => {
      if (k >= available) return null;
      taken.push(k);
      return `body ${k}`;
    },
    arrival: () => new Promise<void>((resolve) => (wake = resolve)),
    deliver(n: number) {
      available = n;
      const w = wake;
      wake = null;
      w?.();
    },
  };
}

test("runLoop() takes each body once, in order, and counts the due sends that had to wait for one", async () => {
  const t0 = nowMs();
  const b = lateBuilder();
  const sent: { k: number; body: string; due: number }[] = [];
  setTimeout(() => b.deliver(2), 5);
  setTimeout(() => b.deliver(4), 10);
  const result = await runLoop({
    schedule: { count: 4, dueMs: () => t0 },
    slots: new Semaphore(10),
    stopped: () => false,
    take: b.take,
    arrival: b.arrival,
    send: async (k, due, body) => {
      sent.push({ k, body, due });
    },
  });
  // Request 0 waits for the first delivery, 2 for the second; 1 and 3 are there when asked.
  expect(result).toEqual({ started: 4, waitedForBody: 2 });
  expect(b.taken).toEqual([0, 1, 2, 3]);
  // A late body does not move the send time the request is measured from.
  expect(sent).toEqual([0, 1, 2, 3].map((k) => ({ k, body: `body ${k}`, due: t0 })));
});

test("runLoop() stops while waiting for a body without sending it or keeping its slot", async () => {
  let stop = false;
  const b = lateBuilder();
  const slots = new Semaphore(1);
  setTimeout(() => {
    stop = true;
    b.deliver(0); // a stop wakes the loop as an arrival does
  }, 5);
  const result = await runLoop({
    schedule: { count: 3, dueMs: () => nowMs() },
    slots,
    stopped: () => stop,
    take: b.take,
    arrival: b.arrival,
    send: async () => {},
  });
  expect(result).toEqual({ started: 0, waitedForBody: 1 });
  expect(slots.tryAcquire()).toBe(true);
});
