import { describe, expect, test } from "bun:test";
import { nowMs } from "../runtime/clock.ts";
import { waitUntil } from "./wait.ts";

describe("waitUntil()", () => {
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
