import { describe, expect, test } from "bun:test";
import { nowMs } from "../runtime/clock.ts";
import { waitUntil } from "./wait.ts";
import { choosePacing, startPacing } from "./waker.ts";

describe("choosePacing()", () => {
  test.each([
    // env value, runtime has Atomics.waitAsync, pacing
    [undefined, true, "waker"],
    ["waker", true, "waker"],
    ["timer-spin", true, "timer-spin"],
    ["something else", true, "waker"],
    [undefined, false, "timer-spin"],
  ] as const)("INFERLOAD_PACING=%p with waitAsync %p gives %p", (value, supported, pacing) => {
    expect(choosePacing({ INFERLOAD_PACING: value }, supported)).toBe(pacing);
  });
});

describe("startPacing()", () => {
  test("with a waker, gives a wait that never returns before its deadline", async () => {
    const paced = await startPacing("waker", (error) => {
      throw error;
    });
    try {
      expect(paced.wait).not.toBe(waitUntil);
      for (const ahead of [0.2, 3, 20]) {
        const deadline = nowMs() + ahead;
        await paced.wait(deadline);
        expect(nowMs()).toBeGreaterThanOrEqual(deadline);
      }
    } finally {
      paced.stop();
    }
  });

  test("timer-spin gives the timer-then-spin wait and starts no Worker", async () => {
    const paced = await startPacing("timer-spin", () => {});
    expect(paced.wait).toBe(waitUntil);
    paced.stop();
  });
});
