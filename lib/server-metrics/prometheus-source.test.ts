import { describe, expect, test } from "bun:test";
import { stageInfo } from "../load/stage.testing.ts";
import { catalogFor } from "./catalog.ts";
import type { PromClient, QueryOutcome } from "./prom-api.ts";
import {
  createPrometheusSource,
  type PrometheusSourceOptions,
  runWindow,
  stageWindow,
} from "./prometheus-source.ts";

const stage = (id: number, startMs: number, endMs: number) => stageInfo(id, { startMs, endMs });

describe("stageWindow() and runWindow()", () => {
  test("a stage: to its end plus interval plus 2 s, in whole seconds from its start", () => {
    expect(stageWindow({ startMs: 10_000, endMs: 20_000 }, null, 15)).toEqual({
      evalMs: 37_000,
      durationS: 27,
    });
    expect(stageWindow({ startMs: 10_000, endMs: 20_400 }, null, 1)).toEqual({
      evalMs: 23_000,
      durationS: 13,
    });
  });
  test("never reaches into the next stage", () => {
    expect(stageWindow({ startMs: 10_000, endMs: 20_000 }, 25_000, 15)).toEqual({
      evalMs: 25_000,
      durationS: 15,
    });
    // 15.6 s would round to 16 and end 0.4 s into the next stage: 15 instead.
    expect(stageWindow({ startMs: 10_000, endMs: 24_600 }, 25_600, 1)).toEqual({
      evalMs: 25_000,
      durationS: 15,
    });
  });
  test("the run: whole seconds from the first stage's start, never later than now", () => {
    expect(runWindow(10_000, 100_700)).toEqual({ evalMs: 100_000, durationS: 90 });
  });
});

/** A fake Prometheus: answers by the query text; records what was asked and when. */
function fakeClient(answer: (query: string) => QueryOutcome): PromClient & { asked: [string, number][] } {
  const asked: [string, number][] = [];
  return {
    queryUrl: "http://prom.test/api/v1/query",
    asked,
    async query(query, atMs) {
      asked.push([query, atMs]);
      return answer(query);
    },
  };
}

const { specs } = catalogFor("vllm");
const filters = ["model_name='m'"];

/** A source over vLLM's catalog that asks `client`, without a real pause before its queries. */
function sourceAsking(client: PromClient, options: Partial<PrometheusSourceOptions> = {}) {
  return createPrometheusSource({
    client,
    specs,
    filters,
    scrapeIntervalS: 1,
    description: "t",
    sleep: async () => {},
    ...options,
  });
}

describe("createPrometheusSource()", () => {
  test("waits one scrape interval plus 2 s, then asks per stage and for the run", async () => {
    const slept: number[] = [];
    const client = fakeClient((q) =>
      q.includes("vllm:request_success") ? { kind: "value", value: 40.1234567 } : { kind: "empty" },
    );
    const source = sourceAsking(client, {
      description: "test",
      sleep: async (ms) => void slept.push(ms),
      now: () => 100_000,
    });
    await source.stageEnded(stage(-1, 0, 1000)); // the sweep's probe: in no report
    await source.stageEnded(stage(0, 10_000, 20_000));
    await source.stageEnded(stage(1, 21_000, 30_000));
    const out = await source.finish({ summary: true, perStage: true });
    expect(slept).toEqual([3000]);
    expect(out.stages.map((s) => s.id)).toEqual([0, 1]);
    expect(out.stages[0]?.values.requests).toEqual({
      kind: "counter",
      total: 40.123457,
      avg: 40.123457,
      per_second: 40.123457,
    });
    // Absent metrics stay null, and the underscore spelling was tried for each.
    expect(out.summary?.kv_cache_usage).toEqual({
      kind: "gauge",
      avg: null,
      median: null,
      p90: null,
      p99: null,
    });
    expect(client.asked.some(([q]) => q.startsWith("avg_over_time(vllm_kv_cache_usage_perc{"))).toBe(true);
    // Stage 0 is evaluated at the next stage's start, the run at "now" over 90 s.
    expect(client.asked.some(([q, at]) => at === 21_000 && q.includes("[11s]"))).toBe(true);
    expect(client.asked.some(([q, at]) => at === 100_000 && q.includes("[90s]"))).toBe(true);
    expect(out.warnings).toEqual([]);
  });

  test("a dead server: a few queries, then the rest skipped; no values, a warning", async () => {
    const client = fakeClient(() => ({ kind: "error", message: "connection refused", transport: true }));
    const source = sourceAsking(client);
    await source.stageEnded(stage(0, 0, 1000));
    const out = await source.finish({ summary: true, perStage: true });
    expect(client.asked.length).toBeLessThanOrEqual(6);
    expect(out.summary).toBeNull();
    expect(out.stages).toEqual([]);
    expect(out.warnings.join("\n")).toContain("connection refused");
  });

  test("garbage answers are errors: the report keeps what did answer", async () => {
    const client = fakeClient((q) =>
      q.includes("generation_tokens")
        ? { kind: "error", message: "Prometheus answered an error: bad_data", transport: false }
        : { kind: "value", value: 1 },
    );
    const source = sourceAsking(client);
    await source.stageEnded(stage(0, 0, 1000));
    const out = await source.finish({ summary: true, perStage: false });
    expect(out.summary?.requests).toMatchObject({ total: 1 });
    expect(out.summary?.output_tokens).toMatchObject({ total: null });
    expect(out.warnings[0]).toContain("queries to http://prom.test/api/v1/query failed");
  });

  test("check() asks vector(1) and reports why it failed", async () => {
    const ok = sourceAsking(fakeClient(() => ({ kind: "value", value: 1 })));
    expect(await ok.check()).toBeNull();
    const down = sourceAsking(fakeClient(() => ({ kind: "error", message: "refused", transport: true })));
    expect(await down.check()).toBe("refused");
  });
});
