import { describe, expect, test } from "bun:test";
import { watchSignals } from "./signals.ts";

describe("watchSignals()", () => {
  test("aborts the graceful signal on the first SIGINT and the hard one on the second", () => {
    const seen: string[] = [];
    const interrupts = watchSignals({
      onFirst: (n) => seen.push(`first ${n}`),
      onSecond: (n) => seen.push(`second ${n}`),
    });
    try {
      process.emit("SIGINT");
      expect(interrupts.signal.aborted).toBe(true);
      expect(interrupts.hard.aborted).toBe(false);
      process.emit("SIGTERM");
      expect(interrupts.hard.aborted).toBe(true);
      expect(seen).toEqual(["first SIGINT", "second SIGTERM"]);
    } finally {
      interrupts.dispose();
    }
    expect(process.listenerCount("SIGINT")).toBe(0);
  });
});
