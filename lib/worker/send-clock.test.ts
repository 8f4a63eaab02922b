import { describe, expect, test } from "bun:test";
import { nowMs } from "../runtime/clock.ts";
import {
  ANNOUNCE_MIN_MS,
  announceSend,
  BUSY_WORKER_RATE,
  createSendClock,
  engineYieldWanted,
  type SendClock,
  STEP_ASIDE_AFTER_MS,
  STEP_ASIDE_BEFORE_MS,
  sendLeft,
  stepAside,
  stepAsideFor,
  stepAsideWanted,
} from "./send-clock.ts";

function clock(dueMs: number): SendClock {
  const c = createSendClock();
  c.due[0] = dueMs;
  return c;
}

test("announces only a send at least ANNOUNCE_MIN_MS off", () => {
  const c = createSendClock();
  expect(announceSend(c, 1000, 1000 - ANNOUNCE_MIN_MS + 0.01)).toBe(false);
  expect(c.due[0]).toBeNaN();
  expect(announceSend(c, 1000, 1000 - ANNOUNCE_MIN_MS)).toBe(true);
  expect(c.due[0]).toBe(1000);
});

test("only a client on one CPU steps aside", () => {
  expect(stepAsideWanted(1)).toBe(true);
  expect(stepAsideWanted(2)).toBe(false);
  expect(stepAsideWanted(64)).toBe(false);
});

describe("stepAsideFor()", () => {
  test("nothing before any send is announced, or once it has left", () => {
    expect(stepAsideFor([createSendClock()], 1000)).toEqual({ index: -1, ms: 0 });
    expect(stepAsideFor([], 1000)).toEqual({ index: -1, ms: 0 });
    const c = clock(1000);
    sendLeft(c);
    expect(stepAsideFor([c], 999.9)).toEqual({ index: -1, ms: 0 });
  });

  test("steps aside from shortly before a send, for at most until a bound after it", () => {
    const due = 1000;
    expect(stepAsideFor([clock(due)], due - STEP_ASIDE_BEFORE_MS - 0.01).index).toBe(-1);
    expect(stepAsideFor([clock(due)], due - 0.2).ms).toBeCloseTo(0.2 + STEP_ASIDE_AFTER_MS, 9);
    expect(stepAsideFor([clock(due)], due).ms).toBeCloseTo(STEP_ASIDE_AFTER_MS, 9);
    expect(stepAsideFor([clock(due)], due + 0.05).ms).toBeCloseTo(STEP_ASIDE_AFTER_MS - 0.05, 9);
    expect(stepAsideFor([clock(due)], due + STEP_ASIDE_AFTER_MS).index).toBe(-1);
    expect(stepAsideFor([clock(due)], due + 50).index).toBe(-1);
  });

  test("with several Workers, the latest imminent send", () => {
    const clocks = [clock(1000.1), clock(5000), clock(1000.25)];
    expect(stepAsideFor(clocks, 1000)).toEqual({
      index: 2,
      ms: expect.closeTo(0.25 + STEP_ASIDE_AFTER_MS, 9),
    });
  });

  test("any value, even a torn one, bounds the wait by BEFORE + AFTER", () => {
    for (const v of [Number.NaN, -Infinity, Infinity, 1e308, -1e308, 0, 999.9])
      expect(stepAsideFor([clock(v)], 1000).ms).toBeLessThanOrEqual(
        STEP_ASIDE_BEFORE_MS + STEP_ASIDE_AFTER_MS,
      );
  });
});

describe("stepAside()", () => {
  test("blocks the thread at most until the bound past an imminent send that never leaves", () => {
    const due = nowMs() + 0.2;
    stepAside([clock(due)], nowMs);
    expect(nowMs()).toBeGreaterThanOrEqual(due + STEP_ASIDE_AFTER_MS - 0.01);
  });

  test("returns at once when no send is near, or the announced one has left", () => {
    const t = nowMs();
    stepAside([clock(t + 100)], nowMs);
    stepAside([clock(t - 100)], nowMs);
    const gone = clock(t + 0.25);
    sendLeft(gone);
    stepAside([gone], nowMs);
    expect(nowMs() - t).toBeLessThan(STEP_ASIDE_AFTER_MS);
  });

  test("goes on as soon as the load Worker's thread reports the request sent", async () => {
    const c = createSendClock();
    const leaver = new Worker(new URL("./send-clock-leaver.testing.ts", import.meta.url).href);
    try {
      await new Promise<void>((resolve) => {
        leaver.onmessage = () => resolve();
        leaver.postMessage({ buffer: c.buffer, afterMs: 0 });
      });
      // Announced 0.25 ms out: the bound would hold this thread to 0.75 ms; the other thread's
      // sendLeft (due at once) ends it sooner unless this machine stalls that thread meanwhile.
      let earliest = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 10; attempt++) {
        const before = c.sent[0]!;
        c.due[0] = nowMs() + 0.25;
        const t = nowMs();
        leaver.postMessage({ buffer: c.buffer, afterMs: 0 });
        stepAside([c], nowMs);
        const took = nowMs() - t;
        if (c.sent[0]! > before) earliest = Math.min(earliest, took);
      }
      expect(earliest).toBeLessThan(0.25 + STEP_ASIDE_AFTER_MS);
    } finally {
      leaver.terminate();
    }
  });
});

describe("engineYieldWanted()", () => {
  const load = { type: "constant", num_workers: 1, stages: [{ rate: 1000 }, { rate: 1999 }], sweep: null };

  test("on one core, when every stage sends under BUSY_WORKER_RATE per Worker", () => {
    expect(BUSY_WORKER_RATE).toBe(2000);
    expect(engineYieldWanted(1, load)).toBe(true);
    expect(engineYieldWanted(1, { ...load, type: "poisson" })).toBe(true);
    expect(engineYieldWanted(1, { ...load, num_workers: 4, stages: [{ rate: 7000 }] })).toBe(true);
  });

  test.each([
    ["more cores: the kernel spreads the threads", 2, load],
    ["a stage at the busy rate", 1, { ...load, stages: [{ rate: 100 }, { rate: 2000 }] }],
    ["a closed loop", 1, { ...load, type: "concurrent", stages: [{}] }],
    ["a trace replay", 1, { ...load, type: "trace_replay" }],
    ["a sweep climbing to the server's limit", 1, { ...load, sweep: { type: "linear" } }],
  ] as const)("not with %s", (_, cpus, view) => {
    expect(engineYieldWanted(cpus, view)).toBe(false);
  });
});
