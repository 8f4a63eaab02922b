import { describe, expect, test } from "bun:test";
import { nowMs } from "../runtime/clock.ts";
import { runLoop } from "./loop.ts";
import { Semaphore } from "./semaphore.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runLoop()", () => {
  test("sends every request of a rate schedule, never before it is due, in order", async () => {
    const t0 = nowMs() + 5;
    const offsets = [0, 0.5, 1, 3, 3, 8];
    const seen: { k: number; at: number; due: number }[] = [];
    const started = await runLoop({
      schedule: { count: offsets.length, dueMs: (k) => t0 + offsets[k]! },
      slots: new Semaphore(10),
      stopped: () => false,
      prepare: (k) => k,
      send: async (k, due) => {
        seen.push({ k, at: nowMs(), due });
      },
    });
    expect(started).toBe(6);
    expect(seen.map((s) => s.k)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const s of seen) {
      expect(s.due).toBe(t0 + offsets[s.k]!);
      expect(s.at).toBeGreaterThanOrEqual(s.due);
    }
  });

  test("keeps a closed loop at exactly its slot count until the requests run out", async () => {
    let running = 0;
    let peak = 0;
    const levels: number[] = [];
    const t0 = nowMs();
    const started = await runLoop({
      schedule: { count: 40, dueMs: () => t0 },
      slots: new Semaphore(4),
      stopped: () => false,
      prepare: (k) => k,
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
      prepare: (k) => k,
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
    const started = await runLoop({
      schedule: { count: 1000, dueMs: (k) => t0 + k * 2 },
      slots: new Semaphore(100),
      stopped: () => stop,
      prepare: (k) => k,
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

test("runLoop() prepares each request once, in order, before it is due", async () => {
  const t0 = nowMs() + 20;
  const log: string[] = [];
  await runLoop({
    schedule: { count: 3, dueMs: (k) => t0 + k * 20 },
    slots: new Semaphore(2),
    stopped: () => false,
    prepare: (k) => {
      log.push(`prepare ${k} ${nowMs() < t0 + k * 20 ? "early" : "late"}`);
      return `body ${k}`;
    },
    send: async (k, _due, prepared) => {
      log.push(`send ${k} ${prepared}`);
    },
  });
  expect(log).toEqual([
    "prepare 0 early",
    "send 0 body 0",
    "prepare 1 early",
    "send 1 body 1",
    "prepare 2 early",
    "send 2 body 2",
  ]);
});
