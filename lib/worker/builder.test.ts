import { expect, test } from "bun:test";
import { createBuilder, readyWindow, type StageBuild } from "./builder.ts";
import { type ReadyBatch, ReadyBatchWriter } from "./ready-batch.ts";

/** A builder on a fake clock (each build takes `costMs`) whose later() calls run only when flushed. */
function harness(costMs = 0.01, limits: { maxCount?: number; maxMs?: number; stepAside?: () => void } = {}) {
  let clock = 0;
  const posted: ReadyBatch[] = [];
  let turns: (() => void)[] = [];
  const builder = createBuilder({
    writer: new ReadyBatchWriter(),
    post: (b) => posted.push(b),
    now: () => clock,
    later: (fn) => turns.push(fn),
    ...limits,
  });
  const stage = (stageId: number, count: number, window: number): StageBuild => ({
    stageId,
    count,
    window,
    buildInto: (k, writer) => {
      clock += costMs;
      writer.add(`{"k":${k}}`, k, k, null, null);
    },
  });
  /** Runs pending turns (and the ones they schedule) until none is left. */
  const settle = () => {
    for (let i = 0; i < 10_000 && turns.length > 0; i++) {
      const now = turns;
      turns = [];
      for (const fn of now) fn();
    }
  };
  const positions = () => posted.flatMap((b) => Array.from({ length: b.count }, (_, i) => b.first + i));
  return { builder, stage, settle, posted, positions, pending: () => turns.length };
}

test("builds a stage in order and never more than its window ahead of the credit returned", () => {
  const h = harness();
  h.builder.start(h.stage(3, 1000, 100));
  h.settle();
  // The first request goes out alone (the sender needs it soonest), then batches of at most 64.
  expect(h.posted[0]!.count).toBe(1);
  expect(h.posted.every((b) => b.count <= 64 && b.stageId === 3)).toBe(true);
  expect(h.positions()).toEqual(Array.from({ length: 100 }, (_, k) => k));
  h.builder.credit(3, 30);
  h.settle();
  expect(h.positions().length).toBe(130);
  h.builder.credit(2, 500); // an older stage's credit is ignored
  h.settle();
  expect(h.positions().length).toBe(130);
  h.builder.credit(3, 10_000);
  h.settle();
  expect(h.positions()).toEqual(Array.from({ length: 1000 }, (_, k) => k));
});

test("yields between batches once a batch has taken its time budget, and reports the time spent", () => {
  const h = harness(0.4, { maxMs: 1 }); // 0.4 ms per request: 3 fit in a 1 ms budget
  h.builder.start(h.stage(0, 7, 100));
  h.settle();
  expect(h.posted.map((b) => b.count)).toEqual([1, 3, 3]);
  const buildMs = h.posted.map((b) => b.buildMs);
  for (const [i, ms] of [0.4, 1.2, 1.2].entries()) expect(buildMs[i]).toBeCloseTo(ms, 6);
});

test("a stop ends building; a new stage starts from its own first request", () => {
  const h = harness();
  h.builder.start(h.stage(0, 1000, 300));
  h.builder.stop();
  h.settle();
  expect(h.posted).toHaveLength(0);
  h.builder.start(h.stage(1, 5, 300));
  h.settle();
  expect(h.posted.map((b) => [b.stageId, b.first])).toEqual([
    [1, 0],
    [1, 1],
  ]);
  expect(h.pending()).toBe(0);
});

test("readyWindow() gives closed loops up to one body per slot, within bounds", () => {
  expect(readyWindow(10)).toBe(256);
  expect(readyWindow(1000)).toBe(1000);
  expect(readyWindow(1e9)).toBe(4096);
});

test("steps aside (send-clock.ts) before each request it builds while half its window is built ahead", () => {
  const events: string[] = [];
  const h = harness(0.01, { stepAside: () => events.push("aside") });
  const noted = (stageId: number, count: number, window: number): StageBuild => ({
    ...h.stage(stageId, count, window),
    buildInto: (k, writer) => {
      events.push(`build ${k}`);
      writer.add(`{"k":${k}}`, k, k, null, null);
    },
  });
  h.builder.start(noted(0, 7, 8));
  h.settle();
  expect(events).toEqual([
    "build 0",
    "build 1",
    "build 2",
    "build 3",
    "aside",
    "build 4",
    "aside",
    "build 5",
    "aside",
    "build 6",
  ]);
  // A new stage starts with its whole window to build: not ahead, so no stepping aside.
  events.length = 0;
  h.builder.start(noted(1, 2, 8));
  h.settle();
  expect(events).toEqual(["build 0", "build 1"]);
});
