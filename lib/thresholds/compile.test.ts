import { describe, expect, test } from "bun:test";
import { UserError } from "../cli/errors.ts";
import { compileThresholds } from "./compile.ts";

const ctx = { percentiles: [50, 90, 99, 99.9], goodput: [] as string[] };

function problems(texts: string[], context = ctx): readonly string[] {
  try {
    compileThresholds(
      texts.map((text, i) => ({ text, origin: `thresholds[${i}]` })),
      context,
    );
  } catch (error) {
    if (error instanceof UserError) return error.details;
    throw error;
  }
  return [];
}

describe("compileThresholds()", () => {
  test.each([
    // expression, limit in the metric's unit
    ["ttft.p99 < 0.5", 0.5],
    ["ttft.p99 < 500ms", 0.5],
    ["time_to_first_token.median < 2 s", 2],
    ["request_latency.p50 < 1", 1],
    ["failures.rate < 1%", 0.01],
    ["failures.timeout.rate < 0.5", 0.5],
    ["achieved_rate_ratio > 95%", 0.95],
    ["output_tokens_per_sec > 100", 100],
  ])("reads %p with a limit of %p", (text, limit) => {
    const [threshold] = compileThresholds([{ text, origin: "--threshold" }], ctx);
    expect(threshold?.limit).toBeCloseTo(limit, 12);
  });

  test("takes goodput metrics when report.goodput has constraints", () => {
    const [a, b] = compileThresholds(
      [
        { text: "goodput_percentage >= 90%", origin: "--threshold" },
        { text: "ttft_attainment_percentage > 99", origin: "--threshold" },
      ],
      { ...ctx, goodput: ["ttft"] },
    );
    expect([a?.metric.name, a?.limit, b?.metric.name]).toEqual([
      "goodput_percentage",
      90,
      "ttft_attainment_percentage",
    ]);
  });

  test.each([
    [
      "ttft.p97 < 1",
      'expected a percentile of report.request_lifecycle.percentiles (50, 90, 99, 99.9), got "p97": add it there to use it',
    ],
    [
      "ttft < 1",
      'expected a statistic after "ttft", e.g. "ttft.p99" (one of mean, min, max, median, p90, p99, p99.9)',
    ],
    ["ttft.avg < 1", 'expected a statistic of "ttft" (mean, min, max, median, p90, p99, p99.9), got "avg"'],
    ["tfft.p99 < 1", 'unknown metric "tfft.p99": did you mean "ttft.p99"?'],
    ["zzzzzzzz < 1", 'unknown metric "zzzzzzzz"'],
    [
      "goodput_percentage > 90",
      "expected report.goodput.constraints to be set: goodput is reported only with constraints",
    ],
    ["failures.rate < 1ms", 'expected no unit (a fraction, 0 to 1) or "%" for failures.rate, got "ms"'],
    ["ttft.p99 < 5%", 'expected no unit (seconds), "s" or "ms" for ttft.p99, got "%"'],
  ])("refuses %p: %s", (text, message) => {
    expect(problems([text])).toEqual([`thresholds[0] "${text}": ${message}`]);
  });

  test("names an attainment metric whose constraint is not set", () => {
    expect(problems(["tpot_attainment_percentage > 90"], { ...ctx, goodput: ["ttft"] })).toEqual([
      'thresholds[0] "tpot_attainment_percentage > 90": expected a constraint "tpot" in report.goodput.constraints, got none',
    ]);
  });

  test("lists every problem at once, in order, under one message", () => {
    let error: unknown;
    try {
      compileThresholds(
        [
          { text: "ttft.p99 <", origin: "thresholds[0]" },
          { text: "ttft.p99 < 1", origin: "thresholds[1]" },
          { text: "nope < 1", origin: "--threshold" },
        ],
        ctx,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe("Invalid thresholds: 2 problems");
    expect((error as UserError).details).toEqual([
      'thresholds[0] "ttft.p99 <": expected a number after "<", got nothing',
      '--threshold "nope < 1": unknown metric "nope"',
    ]);
  });
});
