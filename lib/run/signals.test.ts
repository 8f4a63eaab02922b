import { describe, expect, test } from "bun:test";
import { interruptSignals, watchSignals } from "./signals.ts";

/** Watches with a hand-moved clock; returns what the handlers saw. */
function watch() {
  let clock = 0;
  const seen: string[] = [];
  const interrupts = watchSignals(
    {
      onFirst: (n) => seen.push(`first ${n}`),
      onSecond: (n) => seen.push(`second ${n}`),
      onLater: (n) => seen.push(`later ${n}`),
    },
    { now: () => clock },
  );
  const at = (ms: number, name: string) => {
    clock = ms;
    process.emit(name as NodeJS.Signals);
  };
  return { interrupts, seen, at };
}

describe("watchSignals()", () => {
  test("the first signal stops gracefully, a later one skips the grace period, any after that only reports", () => {
    const { interrupts, seen, at } = watch();
    try {
      at(0, "SIGINT");
      expect([interrupts.signal.aborted, interrupts.hard.aborted]).toEqual([true, false]);
      at(1500, "SIGTERM");
      expect(interrupts.hard.aborted).toBe(true);
      at(3000, "SIGINT");
      expect(seen).toEqual(["first SIGINT", "second SIGTERM", "later SIGINT"]);
    } finally {
      interrupts.dispose();
    }
  });

  test("signals within a second of the last one that counted are the same interrupt", () => {
    const { interrupts, seen, at } = watch();
    try {
      at(0, "SIGINT");
      at(50, "SIGINT"); // as `timeout` or a CI runner delivers it to the whole process group
      at(999, "SIGTERM");
      expect(interrupts.hard.aborted).toBe(false);
      at(1000, "SIGINT");
      at(1400, "SIGINT"); // part of the second burst
      expect(seen).toEqual(["first SIGINT", "second SIGINT"]);
    } finally {
      interrupts.dispose();
    }
  });

  test.each(interruptSignals)("%s is an interrupt", (name) => {
    const { interrupts, seen, at } = watch();
    try {
      at(0, name);
      expect(interrupts.signal.aborted).toBe(true);
      expect(seen).toEqual([`first ${name}`]);
    } finally {
      interrupts.dispose();
    }
  });

  test("dispose() removes every listener", () => {
    const before = interruptSignals.map((name) => process.listenerCount(name));
    watchSignals({}).dispose();
    expect(interruptSignals.map((name) => process.listenerCount(name))).toEqual(before);
  });
});
