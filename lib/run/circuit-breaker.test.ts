import { beforeAll, describe, expect, test } from "bun:test";
import { record } from "../record/record.testing.ts";
import {
  type BreakerConfig,
  createCircuitBreaker,
  expressionProblem,
  loadBreakerExpressions,
  pythonTruthy,
  requestView,
} from "./circuit-breaker.ts";

const timeout = (endMs: number) =>
  record({ failure: "timeout", status: 0, errorMessage: "Request timed out", endMs, tokenEventMs: [] });
const ok = (endMs: number) => record({ endMs });
const http500 = (endMs: number) =>
  record({ failure: "http_status", status: 500, errorMessage: "boom", endMs });

// inference-perf's examples/vllm/config-circuitbreaker.yml
const example: BreakerConfig = {
  name: "request_timeout_breaker",
  metrics: { matches: ["error.error_type == 'TimeoutError'"], rules: [] },
  triggers: [{ type: "consecutive", threshold: 10 }],
};

// The engine is imported for configs with breakers only (scripts/import-graph.test.ts holds it out
// of a run's start).
beforeAll(() => loadBreakerExpressions({ circuit_breakers: [example] }));

describe("createCircuitBreaker()", () => {
  test("consecutive: opens at the 10th matching request in a row, not before", () => {
    const breaker = createCircuitBreaker(example);
    for (let i = 0; i < 9; i++) breaker.feed(timeout(i));
    expect(breaker.opened()).toBeNull();
    breaker.feed(timeout(9));
    expect(breaker.opened()).toEqual({
      name: "request_timeout_breaker",
      trigger: "consecutive",
      stageId: 0,
      reason: "10 consecutive matching requests (threshold 10)",
    });
  });

  test("consecutive: a sample that is not a hit restarts the count; requests no expression matches are not samples", () => {
    const breaker = createCircuitBreaker({
      name: "b",
      metrics: { matches: ["error"], rules: ["error.error_type == 'TimeoutError'"] },
      triggers: [{ type: "consecutive", threshold: 3 }],
    });
    // | request | sample? | hit? | run |
    breaker.feed(timeout(1)); // yes yes 1
    breaker.feed(ok(2)); //      no  -   1 (successes have no error: not samples)
    breaker.feed(timeout(3)); // yes yes 2
    breaker.feed(http500(4)); // yes no  0
    breaker.feed(timeout(5)); // yes yes 1
    breaker.feed(timeout(6)); // yes yes 2
    expect(breaker.opened()).toBeNull();
    breaker.feed(timeout(7)); // yes yes 3 → open
    expect(breaker.opened()?.trigger).toBe("consecutive");
  });

  test("rate_over_window: opens when hits over the window reach the threshold with enough samples", () => {
    const breaker = createCircuitBreaker({
      name: "rate",
      metrics: { matches: ["end_time"], rules: ["error"] },
      triggers: [{ type: "rate_over_window", window_sec: 2.5, threshold: 0.8, min_samples: 5 }],
    });
    // Times in ms. 4 samples, all hits: below min_samples.
    for (const at of [0, 100, 200, 300]) breaker.feed(http500(at));
    expect(breaker.opened()).toBeNull();
    // The old hits leave the window (older than 2.5 s): then 4 successes and h hits give h / (h + 4),
    // which first reaches 0.8 at h = 16.
    for (const at of [4000, 4100, 4200, 4300]) breaker.feed(ok(at));
    for (let h = 1; h <= 15; h++) {
      breaker.feed(http500(5000 + h * 10));
      expect(breaker.opened()).toBeNull();
    }
    breaker.feed(http500(5160));
    expect(breaker.opened()?.reason).toBe(
      "16 of 20 matching requests in the last 2.5 s (rate 0.8 >= 0.8, at least 5 samples)",
    );
  });

  test("stays open once opened (inference-perf never resets it)", () => {
    const breaker = createCircuitBreaker({ ...example, triggers: [{ type: "consecutive", threshold: 1 }] });
    breaker.feed(timeout(1));
    const trip = breaker.opened();
    for (let i = 0; i < 5; i++) breaker.feed(ok(10 + i));
    expect(breaker.opened()).toBe(trip);
  });

  test("any trigger opens it", () => {
    const breaker = createCircuitBreaker({
      ...example,
      triggers: [
        { type: "consecutive", threshold: 100 },
        { type: "rate_over_window", window_sec: 10, threshold: 0.5, min_samples: 2 },
      ],
    });
    breaker.feed(timeout(1));
    breaker.feed(timeout(2));
    expect(breaker.opened()?.trigger).toBe("rate_over_window");
  });
});

test("requestView() is the per-request entry without nulls, with inference-perf's error types", () => {
  const view = requestView(timeout(5)) as Record<string, Record<string, unknown>>;
  expect(view.error).toEqual({ error_type: "TimeoutError", error_msg: "Request timed out", kind: "timeout" });
  expect("request" in view).toBe(false);
  expect((requestView(http500(1)) as Record<string, Record<string, unknown>>).error?.error_type).toBe(
    "HTTP Error 500",
  );
  expect((requestView(ok(1)) as Record<string, unknown>).error).toBeUndefined();
});

test.each([
  [0, false],
  ["", false],
  [[], false],
  [{}, false],
  [null, false],
  [false, false],
  [1, true],
  ["x", true],
  [[0], true],
  [{ a: null }, true],
])("pythonTruthy(%p) is %p", (value, expected) => {
  expect(pythonTruthy(value)).toBe(expected);
});

test("expressionProblem() names a JMESPath syntax error, and passes a valid expression", () => {
  expect(expressionProblem("error.error_type == 'TimeoutError'")).toBeNull();
  expect(expressionProblem("error.===")).toContain("Syntax error");
});
