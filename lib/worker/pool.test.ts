import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { isUserError, type UserError } from "../cli/errors.ts";
import { configFromObject } from "../config/load.ts";
import type { ReplaySessionPlan } from "../data/replay/session-plan.ts";
import { stripeOffsets } from "../load/stripe.ts";
import type { RequestRecord } from "../record/record.ts";
import type { SessionLifecycle } from "../record/session.ts";
import { nowMs } from "../runtime/clock.ts";
import { kernelHonoursSlices, sliceNsOf } from "../runtime/thread-slice.testing.ts";
import { SHORT_SLICE_NS } from "../runtime/thread-slice.ts";
import { lostMessage } from "./lost.ts";
import { startPool } from "./pool.ts";

const { config } = configFromObject(
  { api: { streaming: true }, load: { stages: [{ rate: 1, duration: 1 }] } },
  { cpuCount: 2, now: new Date(0) },
);
const entry = new URL("./frozen-entry.testing.ts", import.meta.url);

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  for (const end = nowMs() + ms; !condition() && nowMs() < end; ) await new Promise((r) => setTimeout(r, 10));
}

test("a Worker that does not answer a cancel is terminated, its lost requests recorded as cancelled, and replaced", async () => {
  const records: RequestRecord[] = [];
  const pool = await startPool({
    config,
    model: "freeze",
    workers: 2,
    onRecords: (r) => records.push(...r),
    cancelWaitMs: 200,
    entry,
  });
  try {
    for (const stageId of [0, 1]) {
      records.length = 0;
      // Worker 0 gets entries 0, 2, 4 (starts 0 and 2, hands back 0's record, hangs); worker 1 gets 1, 3, 5.
      const slices = stripeOffsets(Float64Array.of(0, 1, 2, 3, 4, 5), 2);
      let t0 = Number.NaN;
      const running = pool.runStage(stageId, slices, [3, 3], () => {
        t0 = nowMs();
        return t0;
      });
      await until(() => records.length > 0);
      const cancelledAt = nowMs();
      pool.cancel();
      const results = await running;
      expect(nowMs() - cancelledAt).toBeLessThan(5000);
      expect(results.map((r) => [r.workerId, r.terminated, r.lost])).toEqual([
        [0, true, 1],
        [1, false, 0],
      ]);
      // The record that came back, then the one it took with it (entry 2, due 2 ms after t0).
      expect(records.map((r) => [r.index, r.failure])).toEqual([
        [0, null],
        [2, "cancelled"],
      ]);
      expect(records[1]).toMatchObject({
        stageId,
        workerId: 0,
        scheduledMs: t0 + 2,
        errorMessage: lostMessage,
      });
      expect(pool.counters()).toMatchObject({ inFlight: 0 });
      await pool.whenReady(); // the replacement started: the second round runs on it
    }
  } finally {
    pool.close();
  }
}, 30_000);

test("in a session stage a terminated Worker's sessions are reported cut short, its lost call recorded, and later sessions on it end at once", async () => {
  const records: RequestRecord[] = [];
  const lifecycles: SessionLifecycle[] = [];
  // Three calls per session; only the plans' ids, sources and sizes matter here.
  const replay = [0, 1, 2, 3].map((i) => ({
    id: `trace${i}`,
    source: `t${i}.json`,
    calls: [{}, {}, {}] as unknown as ReplaySessionPlan["calls"],
  }));
  const pool = await startPool({
    config,
    model: "freeze",
    workers: 2,
    onRecords: (r) => records.push(...r),
    onSessions: (l) => lifecycles.push(...l),
    cancelWaitMs: 200,
    entry,
    replay,
  });
  try {
    const t0 = nowMs();
    const failed = pool.startSessionStage(0, t0, 4);
    failed.catch(() => {});
    pool.startSession(0, 0, t0); // Worker 0: one call back, one in flight, then frozen
    pool.startSession(0, 1, t0); // Worker 1: succeeds at once
    await until(() => records.length > 0 && lifecycles.length > 0);
    pool.cancel();
    await until(() => lifecycles.length === 2);
    pool.startSession(0, 2, nowMs()); // its Worker is gone: over before it began
    await until(() => lifecycles.length === 3);
    const results = await pool.endSessionStage(0);
    expect(results.map((r) => [r.workerId, r.terminated, r.lost])).toEqual([
      [0, true, 1],
      [1, false, 0],
    ]);
    expect(records.map((r) => [r.session, r.index, r.failure])).toEqual([
      [0, 0, null],
      [-1, -1, "cancelled"],
    ]);
    expect(
      lifecycles.map((l) => [l.session, l.name, l.status, l.numEvents, l.completed, l.cancelled]),
    ).toEqual([
      [1, "s1", "succeeded", 0, 0, 0],
      [0, "trace0", "cut_short", 3, 1, 2],
      [2, "trace2", "cut_short", 3, 0, 3],
    ]);
    expect(pool.counters()).toMatchObject({ inFlight: 0 });
    await pool.whenReady();
  } finally {
    pool.close();
  }
}, 30_000);

test("Workers that do not start in time are a clear error (exit 1), not a bug", async () => {
  const started = startPool({
    config,
    model: "silent",
    workers: 1,
    onRecords: () => {},
    startTimeoutMs: 300,
    entry: new URL("./silent-entry.testing.ts", import.meta.url),
  });
  const error = await started.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isUserError(error)).toBe(true);
  expect((error as UserError).exitCode).toBe(1);
  expect((error as Error).message).toStartWith(
    "Workers did not start within 0.3 s: each loads its tokenizer",
  );
});

test("once a stage starts, the load Worker's thread and its waker's run with a short scheduler slice where the kernel honours slices", async () => {
  if (!kernelHonoursSlices()) {
    console.warn(
      "this kernel does not honour requested slices (Linux 6.12+): the load Worker's slice is not checked",
    );
    return;
  }
  // Other tests' threads (the whole suite runs in one process) may end between the listing and the read.
  const commOf = (tid: string): string => {
    try {
      return readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
    } catch {
      return "";
    }
  };
  const threadsNamed = (name: string): string[] =>
    readdirSync("/proc/self/task").filter((tid) => commOf(tid) === name);
  const before = new Set([...threadsNamed("load"), ...threadsNamed("wake")]);
  const { config: served } = configFromObject(
    { server: { base_url: "http://127.0.0.1:9" }, load: { stages: [{ rate: 1, duration: 1 }] } },
    { cpuCount: 2, now: new Date(0) },
  );
  const pool = await startPool({ config: served, model: "m", workers: 1, onRecords: () => {} });
  try {
    await pool.whenReady();
    const started = () =>
      [...threadsNamed("load"), ...threadsNamed("wake")].filter((tid) => !before.has(tid));
    const slices = () => started().map((tid) => sliceNsOf(`self/task/${tid}`));
    // Not on the start-up path: the threads keep the default slice until a stage starts.
    expect(slices()).toHaveLength(2);
    expect(slices().some((ns) => ns === SHORT_SLICE_NS)).toBe(false);
    await pool.runStage(0, stripeOffsets(Float64Array.of(), 1), [1], () => nowMs());
    // Asked for by the main thread just after the start, not awaited by the stage.
    await until(() => slices().every((ns) => ns === SHORT_SLICE_NS), 5000);
    expect(slices()).toEqual([SHORT_SLICE_NS, SHORT_SLICE_NS]);
  } finally {
    pool.close();
  }
}, 30_000);
