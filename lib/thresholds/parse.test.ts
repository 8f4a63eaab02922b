import { describe, expect, test } from "bun:test";
import { compare, parseThreshold } from "./parse.ts";

describe("parseThreshold()", () => {
  test.each([
    ["ttft.p99 < 0.5", "ttft.p99", "<", 0.5, null],
    ["  request_latency.p99.9<=800ms ", "request_latency.p99.9", "<=", 800, "ms"],
    ["failures.rate<1%", "failures.rate", "<", 1, "%"],
    ["goodput_percentage >= 90", "goodput_percentage", ">=", 90, null],
    ["achieved_rate_ratio > .95", "achieved_rate_ratio", ">", 0.95, null],
    ["failures.count == 0", "failures.count", "==", 0, null],
    ["successes.count != 0", "successes.count", "!=", 0, null],
    ["schedule_delay.p99 < 1e-3 s", "schedule_delay.p99", "<", 0.001, "s"],
    ["itl.mean > -1", "itl.mean", ">", -1, null],
  ])("reads %p", (text, metric, op, number, unit) => {
    expect(parseThreshold(text)).toEqual({
      ok: true,
      value: { text: text.trim(), metric, op, number, unit },
    } as never);
  });

  test.each([
    ["", 'expected an expression such as "ttft.p99 < 0.5", got nothing'],
    [
      "ttft.p99 0.5",
      'expected a comparison (<, <=, >, >=, ==, !=) in an expression such as "ttft.p99 < 0.5"',
    ],
    ["ttft.p99 = 0.5", 'expected a comparison: use "==" for equality, not "="'],
    ["< 0.5", 'expected a metric name before "<", e.g. "ttft.p99 < 0.5"'],
    ["ttft p99 < 0.5", 'expected a metric name before "<", got "ttft p99"'],
    ["ttft.p99 <", 'expected a number after "<", got nothing'],
    ["ttft.p99 < fast", 'expected a number after "<", got "fast"'],
    ["ttft.p99 < 0.5 < 1", 'expected a number after "<", got "0.5 < 1"'],
    ["ttft.p99 < 5min", 'expected a unit of "s", "ms" or "%" after the number, got "min"'],
  ])("refuses %p: %s", (text, expected) => {
    expect(parseThreshold(text)).toEqual({ ok: false, expected });
  });
});

describe("compare()", () => {
  test.each([
    // value, op, limit, result
    [1, "<", 2, true],
    [2, "<", 2, false],
    [2, "<=", 2, true],
    [3, ">", 2, true],
    [2, ">=", 2, true],
    [2, "==", 2, true],
    [2, "!=", 2, false],
    [Number.NaN, "<", 2, false],
    [Number.NaN, "!=", 2, false],
  ] as const)("%p %s %p is %p", (value, op, limit, result) => {
    expect(compare(value, op, limit)).toBe(result);
  });
});
