import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { SessionProgress, type SessionShape } from "./session-progress.ts";

/** Runs a session on a simulated clock: call i takes durations[i] ms and fails when fails(i). */
function simulate(
  shape: SessionShape,
  durations: readonly number[],
  opts: { fails?: (i: number) => boolean; timeoutMs?: number | null; stopAtMs?: number } = {},
) {
  const progress = new SessionProgress(shape, 0, { predecessorTimeoutMs: opts.timeoutMs ?? null });
  const starts = new Array<number>(durations.length).fill(Number.NaN);
  const ends = new Array<number>(durations.length).fill(Number.NaN);
  const inFlight: { at: number; call: number }[] = [];
  let now = 0;
  for (let guard = 0; guard < 10_000 && !progress.settled; guard++) {
    if (opts.stopAtMs !== undefined && now >= opts.stopAtMs) progress.stop();
    for (const i of progress.takeDue(now)) {
      starts[i] = now;
      inFlight.push({ at: now + durations[i]!, call: i });
    }
    if (progress.settled) break;
    const nextEnd = Math.min(...inFlight.map((e) => e.at));
    const next = Math.min(
      nextEnd,
      progress.nextWakeMs(),
      opts.stopAtMs !== undefined && now < opts.stopAtMs ? opts.stopAtMs : Infinity,
    );
    if (!Number.isFinite(next)) break;
    now = next;
    for (let k = inFlight.length - 1; k >= 0; k--) {
      const e = inFlight[k]!;
      if (e.at <= now) {
        inFlight.splice(k, 1);
        ends[e.call] = e.at;
        progress.finished(e.call, e.at, !(opts.fails?.(e.call) ?? false));
      }
    }
  }
  return { progress, starts, ends };
}

describe("SessionProgress", () => {
  test.each([
    // name, predecessors, waits, durations → start times
    [
      "a chain waits for each call, then its think time",
      [[], [0], [1]],
      [0, 500, 250],
      [100, 100, 100],
      [0, 600, 950],
    ],
    ["parallel roots start together", [[], [], []], [0, 0, 0], [300, 100, 200], [0, 0, 0]],
    ["fan-in starts after the slowest input", [[], [], [0, 1]], [0, 0, 50], [100, 400, 10], [0, 0, 450]],
    ["fan-out from one root", [[], [0], [0]], [0, 10, 20], [100, 5, 5], [0, 110, 120]],
  ])("%s", (_name, predecessors, waitMs, durations, expected) => {
    const { progress, starts } = simulate({ predecessors, waitMs }, durations);
    expect(starts).toEqual(expected);
    expect(progress.outcome).toBe("succeeded");
    expect(progress.completed).toBe(durations.length);
  });

  test("a failed call fails the session and cancels what has not started; calls in flight finish", () => {
    // 0 → 1 → 3 and 0 → 2; call 1 fails at 200 while call 2 (started at 100) is still running.
    const shape = { predecessors: [[], [0], [0], [1]], waitMs: [0, 0, 0, 0] };
    const { progress, starts } = simulate(shape, [100, 100, 500, 10], { fails: (i) => i === 1 });
    expect(starts.slice(0, 3)).toEqual([0, 100, 100]);
    expect(starts[3]).toBeNaN();
    expect(progress.outcome).toBe("failed");
    expect(progress.failure).toBe("request failed");
    expect([progress.completed, progress.failedCalls, progress.notStarted]).toEqual([2, 1, 1]);
  });

  test("a call still waiting for its predecessors at the timeout fails the session", () => {
    const shape = { predecessors: [[], [0]], waitMs: [0, 0] };
    const { progress, starts } = simulate(shape, [5000, 10], { timeoutMs: 1000 });
    expect(starts[1]).toBeNaN();
    expect(progress.outcome).toBe("failed");
    expect(progress.failure).toBe("predecessor wait failed: TimeoutError");
  });

  test("a timeout of 0 waits for predecessors forever", () => {
    const shape = { predecessors: [[], [0]], waitMs: [0, 0] };
    const { progress } = simulate(shape, [5000, 10], { timeoutMs: 0 });
    expect(progress.outcome).toBe("succeeded");
  });

  test("stop() lets calls in flight finish and cuts the session short", () => {
    const shape = { predecessors: [[], [0], [1]], waitMs: [0, 0, 0] };
    const { progress, starts } = simulate(shape, [100, 100, 100], { stopAtMs: 150 });
    expect(starts).toEqual([0, 100, Number.NaN]);
    expect(progress.outcome).toBe("cut_short");
    expect([progress.completed, progress.notStarted]).toEqual([2, 1]);
  });

  test("a predecessor index out of range is refused", () => {
    expect(() => new SessionProgress({ predecessors: [[1]], waitMs: [0] }, 0)).toThrow(
      "SessionShape: call 0 names predecessor 1",
    );
  });

  test("no call starts before its predecessors end plus its think time, and every call runs once", () => {
    const dag = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.record({
        predecessors: fc.tuple(
          ...Array.from({ length: n }, (_, i) =>
            i === 0
              ? fc.constant([] as number[])
              : fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { maxLength: 3 }),
          ),
        ),
        waitMs: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: n, maxLength: n }),
        durations: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(dag, ({ predecessors, waitMs, durations }) => {
        const { progress, starts, ends } = simulate({ predecessors, waitMs }, durations);
        expect(progress.outcome).toBe("succeeded");
        predecessors.forEach((preds, i) => {
          expect(Number.isNaN(starts[i]!)).toBe(false);
          const ready = preds.length === 0 ? 0 : Math.max(...preds.map((p) => ends[p]!)) + waitMs[i]!;
          expect(starts[i]!).toBeGreaterThanOrEqual(ready);
          // Nothing holds a ready call back: it starts exactly when it is due.
          expect(starts[i]!).toBe(preds.length === 0 ? waitMs[i]! : ready);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("SessionProgress bookkeeping", () => {
  test("dueMs() gives a call's send time once its predecessors are done", () => {
    const p = new SessionProgress({ predecessors: [[], [0]], waitMs: [0, 250] }, 1000);
    expect([p.dueMs(0), p.dueMs(1)]).toEqual([1000, Infinity]);
    expect(p.takeDue(1000)).toEqual([0]);
    p.finished(0, 1400, true);
    expect(p.dueMs(1)).toBe(1650);
  });

  test("an abandoned call (stopped while waiting for a slot) counts as not started", () => {
    const p = new SessionProgress({ predecessors: [[]], waitMs: [0] }, 0);
    expect(p.takeDue(0)).toEqual([0]);
    p.abandoned(0);
    expect([p.settled, p.outcome, p.notStarted]).toEqual([true, "cut_short", 1]);
  });
});
