import { describe, expect, test } from "bun:test";
import { record } from "../record/record.testing.ts";
import type { RequestRecord } from "../record/record.ts";
import type { GoodputConstraints } from "./goodput.ts";
import { StageMetrics } from "./stage-metrics.ts";

// Four successes and a failure, times in ms (values in the comments in seconds):
const records: RequestRecord[] = [
  // TTFT 0.02, TPOT 0.01, ITL 0.01, latency 0.1, NTPOT 0.02; 100 + 5 tokens
  record({ sentMs: 1000, tokenEventMs: [1020, 1030, 1040, 1050, 1060], endMs: 1100 }),
  // TTFT 0.1, TPOT 0.01, ITL 0.01, latency 0.2, NTPOT 0.1
  record({
    sentMs: 1100,
    tokenEventMs: [1200, 1210],
    endMs: 1300,
    serverOutputTokens: 2,
    promptTokens: 50,
  }),
  // Not streamed: no TTFT/TPOT/ITL; latency 0.05, NTPOT 0.0125
  record({ sentMs: 1200, tokenEventMs: [], streamed: false, endMs: 1250, serverOutputTokens: 4 }),
  // One token timestamp: inference-perf has no TTFT/TPOT/ITL for it; latency 0.1, NTPOT 0.1
  record({ sentMs: 1300, tokenEventMs: [1310], endMs: 1400, serverOutputTokens: 1 }),
  // A failure is never judged and does not widen the goodput time span.
  record({ sentMs: 1400, endMs: 1900, failure: "http_status", status: 500 }),
];

function goodputOf(constraints: GoodputConstraints | null, input = records) {
  const metrics = new StageMetrics({ percentiles: [50], maxErrorMessages: 1, goodput: constraints });
  for (const r of input) metrics.add(r);
  return metrics.snapshot().goodput;
}

describe("goodput", () => {
  test("counts a hand-computed case: good requests, attainment per constraint, rates over the successes' span", () => {
    const g = goodputOf({ ttft: 0.05, request_latency: 0.15 })!;
    // Only the first meets both; TTFT is met by the first alone (the 3rd and 4th have none);
    // latency by all but the second.
    expect(g).toMatchObject({
      constrained: ["ttft", "request_latency"],
      good: 1,
      total: 4,
      goodTokens: 105,
      attained: { ttft: 1, request_latency: 3 },
    });
    // max(end) − min(send) over the successes: 1400 − 1000 ms, not up to the failure's end.
    expect(g.spanS).toBeCloseTo(0.4, 12);
  });

  test.each([
    // constraint, limit, successes meeting it (of 4), and why
    ["ttft", 0.05, 1, "no TTFT without more than one token timestamp, so the 3rd and 4th fail"],
    ["tpot", 0.02, 2, "TPOT needs a streamed answer with two timestamps"],
    ["itl", 0.02, 2, "ITL is the mean gap of one request, absent with one timestamp"],
    ["ntpot", 0.05, 2, "NTPOT exists for every success (0 with no output tokens)"],
    ["request_latency", 0.1, 3, "the limit itself is met (<=)"],
  ] as const)("%s <= %p is met by %p successes: %s", (name, limit, met) => {
    const g = goodputOf({ [name]: limit })!;
    expect(g.attained[name]).toBe(met);
    expect(g.good).toBe(met);
  });

  test("writes nothing without constraints, as inference-perf writes no goodput_metrics", () => {
    expect(goodputOf(null)).toBeNull();
    expect(goodputOf({})).toBeNull();
  });

  test("a bucket with no successes has a total of 0", () => {
    const g = goodputOf({ ttft: 1 }, [records[4]!])!;
    expect(g).toMatchObject({ good: 0, total: 0, spanS: 0 });
  });

  test("merging stage accumulators gives the same counts as one accumulator over every record", () => {
    const options = { percentiles: [50], maxErrorMessages: 1, goodput: { ttft: 0.05, ntpot: 0.05 } };
    const a = new StageMetrics(options);
    const b = new StageMetrics(options);
    for (const [i, r] of records.entries()) (i % 2 === 0 ? a : b).add(r);
    const merged = StageMetrics.merge(a, b).snapshot().goodput;
    expect(merged).toEqual(goodputOf({ ttft: 0.05, ntpot: 0.05 }));
  });
});
