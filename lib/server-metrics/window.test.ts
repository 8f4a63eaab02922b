import { describe, expect, test } from "bun:test";
import type { MetricSpec } from "./catalog.ts";
import { type LabelMatcher, parseMatcher } from "./matchers.ts";
import { parseExposition } from "./prom-text.ts";
import { frameBetween, type TargetSnapshot, takeSnapshot } from "./snapshot.ts";
import { Window } from "./window.ts";

const specs: MetricSpec[] = [
  { field: "requests", kind: "counter", name: "vllm:request_success" },
  { field: "queue_length", kind: "gauge", name: "vllm:num_requests_waiting" },
  { field: "time_to_first_token", kind: "histogram", name: "vllm:time_to_first_token_seconds" },
  { field: "prefix_cache_hits", kind: "counter", name: "vllm:prefix_cache_hits" },
];
const matchers = [parseMatcher("model_name='m'") as LabelMatcher];

/** A /metrics text: request_success by two reasons, a queue gauge, a TTFT histogram (0.1, 0.5, +Inf). */
function exposition(o: {
  stop: number;
  length: number;
  waiting: number;
  ttft: [number, number, number];
  sum: number;
}) {
  const l = 'model_name="m"';
  return parseExposition(
    [
      `vllm:request_success_total{finished_reason="stop",${l}} ${o.stop}`,
      `vllm:request_success_total{finished_reason="length",${l}} ${o.length}`,
      `vllm:request_success_total{finished_reason="stop",model_name="other"} 999`,
      `vllm:num_requests_waiting{${l}} ${o.waiting}`,
      `vllm:time_to_first_token_seconds_bucket{le="0.1",${l}} ${o.ttft[0]}`,
      `vllm:time_to_first_token_seconds_bucket{le="0.5",${l}} ${o.ttft[1]}`,
      `vllm:time_to_first_token_seconds_bucket{le="+Inf",${l}} ${o.ttft[2]}`,
      `vllm:time_to_first_token_seconds_count{${l}} ${o.ttft[2]}`,
      `vllm:time_to_first_token_seconds_sum{${l}} ${o.sum}`,
    ].join("\n"),
  );
}

const snap = (o: Parameters<typeof exposition>[0]): TargetSnapshot =>
  takeSnapshot(exposition(o), specs, matchers);

/** A window from 0 over the frames between consecutive snapshots, the k-th ending at k seconds. */
function resultsOver(...snapshots: TargetSnapshot[]) {
  const w = new Window(0);
  for (let k = 1; k < snapshots.length; k++) w.add(frameBetween(snapshots[k - 1]!, snapshots[k]!), 1000 * k);
  return w.results(specs);
}

describe("a window over scrape frames", () => {
  test("counters and buckets are differenced per series; other models' series are filtered out", () => {
    const s0 = snap({ stop: 5, length: 5, waiting: 0, ttft: [4, 8, 10], sum: 2 });
    const s1 = snap({ stop: 8, length: 9, waiting: 4, ttft: [6, 14, 17], sum: 3.4 });
    const s2 = snap({ stop: 10, length: 10, waiting: 2, ttft: [7, 17, 20], sum: 4 });
    const r = resultsOver(s0, s1, s2);
    // 10 more requests over 2 s.
    expect(r.requests).toEqual({ kind: "counter", total: 10, avg: 5, per_second: 5 });
    // Gauge samples of the two frames: 4 and 2.
    expect(r.queue_length).toEqual({ kind: "gauge", avg: 3, median: 3, p90: 3.8, p99: 3.98 });
    // TTFT added over the window: 3 ≤ 0.1, 6 in (0.1, 0.5], 1 above; 10 observations, sum 2.
    // median: rank 5 → 0.1 + 0.4 × (5 − 3) / 6.
    expect(r.time_to_first_token).toMatchObject({ kind: "histogram", avg: 0.2, per_second: 5 });
    expect(r.time_to_first_token?.kind === "histogram" && r.time_to_first_token.median).toBeCloseTo(
      0.233333,
      6,
    );
    // Never exposed: absent, not zero.
    expect(r.prefix_cache_hits).toEqual({ kind: "counter", total: null, avg: null, per_second: null });
  });

  test("a counter that goes down (the engine restarted) counts from zero again", () => {
    const before = snap({ stop: 50, length: 50, waiting: 0, ttft: [90, 100, 100], sum: 10 });
    const restarted = snap({ stop: 3, length: 4, waiting: 0, ttft: [5, 7, 7], sum: 0.5 });
    const later = snap({ stop: 5, length: 6, waiting: 0, ttft: [8, 11, 11], sum: 0.9 });
    const r = resultsOver(before, restarted, later);
    expect(r.requests?.kind === "counter" && r.requests.total).toBe(7 + 4);
    expect(r.time_to_first_token).toMatchObject({ avg: 0.081818 }); // 0.9 / 11, to 6 decimals
  });

  test("a histogram without observations has a count of 0 and no mean or quantiles", () => {
    const s = snap({ stop: 1, length: 1, waiting: 0, ttft: [1, 1, 1], sum: 0.05 });
    expect(resultsOver(s, s).time_to_first_token).toEqual({
      kind: "histogram",
      avg: null,
      median: null,
      p90: null,
      p99: null,
      per_second: 0,
    });
  });

  test("vLLM names re-exported with underscores are found too", () => {
    const text = 'vllm_request_success_total{model_name="m"} 4\n';
    const s0 = takeSnapshot(parseExposition(text), specs, matchers);
    const s1 = takeSnapshot(parseExposition(text.replace(" 4", " 9")), specs, matchers);
    expect(resultsOver(s0, s1).requests).toMatchObject({ total: 5 });
  });
});
