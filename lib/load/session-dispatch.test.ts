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

  test.each([
    // 2 sessions/s, up to 10 at once: one start every 500 ms from t0.
    [0, 0, 1, 500],
    [499, 1, 0, 500],
    [500, 1, 1, 1000],
    [1200, 2, 1, 1700], // late by 200 ms: the next is 500 ms after this start, no catch-up burst
  ])(
    "session_rate paces starts (at %d ms with %d active: %d start, next at %d ms)",
    (now, active, n, next) => {
      const d = createSessionDispatcher({ total: 10, concurrentSessions: 10, sessionRate: 2, t0Ms: 0 });
      // Replay the table's earlier rows so each row sees the state they left.
      const rows: [number, number][] = [
        [0, 0],
        [499, 1],
        [500, 1],
        [1200, 2],
      ];
      let last = 0;
      for (const [t, a] of rows) {
        last = d.take(t, a);
        if (t === now) break;
      }
      expect(last).toBe(n);
      expect(d.nextSlotMs()).toBe(next);
    },
  );

  test("a stage held back by its concurrency banks no starts", () => {
    const d = createSessionDispatcher({ total: 10, concurrentSessions: 1, sessionRate: 10, t0Ms: 0 });
    expect(d.take(0, 0)).toBe(1);
    expect(d.take(5000, 0)).toBe(1); // free again after 5 s: one start, not 50
    expect(d.nextSlotMs()).toBe(5100);
  });
});
