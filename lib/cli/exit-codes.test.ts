import { expect, test } from "bun:test";
import { runOutcome } from "./exit-codes.ts";

test.each([
  // interrupted, requests, successes, thresholds passed → status, exit code
  [false, 10, 10, true, "ok", 0],
  [false, 10, 1, true, "ok", 0],
  [false, 10, 10, false, "thresholds_failed", 3],
  [false, 10, 0, true, "no_successes", 1],
  [false, 0, 0, true, "no_successes", 1],
  // Nothing succeeded: a broken server, not a slow one, even when thresholds failed too.
  [false, 10, 0, false, "no_successes", 1],
  // An interrupt wins: the numbers are partial.
  [true, 10, 0, false, "interrupted", 130],
] as const)(
  "runOutcome(interrupted %p, %p requests, %p successes, thresholds passed %p) is %s (exit %p)",
  (interrupted, requests, successes, thresholdsPassed, status, exitCode) => {
    expect(runOutcome({ interrupted, requests, successes, thresholdsPassed })).toEqual({ status, exitCode });
  },
);
