import { describe, expect, test } from "bun:test";
import { createSessionDispatcher } from "./session-dispatch.ts";

describe("createSessionDispatcher()", () => {
  test("without a rate, starts as many as the concurrency allows", () => {
    const d = createSessionDispatcher({ total: 5, concurrentSessions: 2, sessionRate: null, t0Ms: 0 });
    expect(d.take(0, 0)).toBe(2); // 2 slots free
    expect(d.take(10, 2)).toBe(0); // both busy
    expect(d.take(20, 1)).toBe(1); // one ended
    expect(d.take(30, 0)).toBe(2); // two free, 2 left
    expect([d.started, d.remaining, d.nextSlotMs()]).toEqual([5, 0, Infinity]);
  });

  test("concurrent_sessions 0 means no limit", () => {
    const d = createSessionDispatcher({ total: 100, concurrentSessions: 0, sessionRate: null, t0Ms: 0 });
    expect(d.take(0, 0)).toBe(100);
  });

  test("session_rate paces starts at most one per 1/rate", () => {
    // 2 sessions/s, up to 10 at once: one start every 500 ms from t0.
    const d = createSessionDispatcher({ total: 10, concurrentSessions: 10, sessionRate: 2, t0Ms: 0 });
    const rows: [number, number, number, number][] = [
      // now ms, active, starts allowed, next slot ms
      [0, 0, 1, 500],
      [499, 1, 0, 500],
      [500, 1, 1, 1000],
      [1200, 2, 1, 1700], // 200 ms late: the next is 500 ms after this start, no catch-up burst
    ];
    for (const [now, active, n, next] of rows) {
      expect([d.take(now, active), d.nextSlotMs()]).toEqual([n, next]);
    }
  });

  test("a stage held back by its concurrency banks no starts", () => {
    const d = createSessionDispatcher({ total: 10, concurrentSessions: 1, sessionRate: 10, t0Ms: 0 });
    expect(d.take(0, 0)).toBe(1);
    expect(d.take(5000, 0)).toBe(1); // free again after 5 s: one start, not 50
    expect(d.nextSlotMs()).toBe(5100);
  });
});
