import { describe, expect, test } from "bun:test";
import { createRng } from "../load/rng.ts";
import { pickFault } from "./faults.ts";
import { defaultFaults, type SimFaults } from "./options.ts";

function shares(faults: Partial<SimFaults>, streamed: boolean, n = 20000): Record<string, number> {
  const rng = createRng(11);
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const f = pickFault({ ...defaultFaults, ...faults }, rng, streamed);
    const key = f.kind === "status" ? String(f.status) : f.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, c / n]));
}

describe("pickFault()", () => {
  test("never faults, and draws nothing, when every rate is zero", () => {
    expect(shares({}, true)).toEqual({ none: 1 });
  });

  test("gives each fault about its configured share", () => {
    const s = shares(
      {
        rate429: 0.1,
        rate500: 0.05,
        rate503: 0.05,
        cutRate: 0.1,
        malformedRate: 0.1,
        errorEventRate: 0.1,
        dropRate: 0.1,
      },
      true,
    );
    for (const [kind, want] of [
      ["429", 0.1],
      ["500", 0.05],
      ["503", 0.05],
      ["cut", 0.1],
      ["malformed", 0.1],
      ["error_event", 0.1],
      ["drop", 0.1],
      ["none", 0.4],
    ] as const) {
      expect(Math.abs((s[kind] ?? 0) - want)).toBeLessThan(0.015);
    }
  });

  test("drops streamed and unary requests alike", () => {
    expect(shares({ dropRate: 1 }, false)).toEqual({ drop: 1 });
    expect(shares({ dropRate: 1 }, true)).toEqual({ drop: 1 });
  });

  test("gives error events only to streamed requests", () => {
    expect(shares({ errorEventRate: 1 }, false)).toEqual({ none: 1 });
    expect(shares({ errorEventRate: 1, afterTokens: 3 }, true)).toEqual({ error_event: 1 });
  });

  test("is seeded: the same seed faults the same requests", () => {
    const run = () => {
      const rng = createRng(5);
      return Array.from({ length: 50 }, () => pickFault({ ...defaultFaults, cutRate: 0.3 }, rng, true).kind);
    };
    expect(run()).toEqual(run());
  });
});
