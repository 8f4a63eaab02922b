import { expect, test } from "bun:test";
import { stageInfo } from "../load/stage.testing.ts";
import type { StageInfo } from "../load/stage.ts";
import { record } from "../record/record.testing.ts";
import { createCollector } from "./collector.ts";

const config = { report: { request_lifecycle: { percentiles: [50, 99], max_error_messages: 2 } } };

const stage = (id: number, overrides: Partial<StageInfo> = {}) =>
  stageInfo(id, { rate: 10, numRequests: 10, ...overrides });

test("records are routed to their stage, adapter and adapter-stage; probe records are not reported", () => {
  const c = createCollector({ config });
  c.stageStarted(stage(-1));
  c.add(record({ stageId: -1 }));
  c.stageStarted(stage(0));
  c.add(record({ stageId: 0, adapter: "a" }));
  c.add(record({ stageId: 0, adapter: null }));
  c.stageEnded(stage(0));
  c.stageStarted(stage(1));
  c.add(record({ stageId: 1, adapter: "a" }));
  c.add(record({ stageId: 1, adapter: "b", failure: "http_status", status: 429, errorMessage: "slow" }));
  c.stageEnded(stage(1));
  const report = c.finish({ interrupted: false });
  expect(report.summary.count).toBe(4);
  expect(report.stages.map((s) => [s.info.id, s.metrics.count])).toEqual([
    [0, 2],
    [1, 2],
  ]);
  expect(report.adapters.map((a) => [a.adapter, a.metrics.count])).toEqual([
    ["a", 2],
    ["b", 1],
  ]);
  expect(report.adapterStages.map((a) => [a.adapter, a.info.id, a.metrics.count])).toEqual([
    ["a", 0, 1],
    ["a", 1, 1],
    ["b", 1, 1],
  ]);
  expect(report.summary.byLabel).toEqual({ "429 - Rate Limit": { count: 1, messages: ["slow"] } });
});

test("stageEnded() returns the stage's numbers so far, and late records still reach the final report", () => {
  const c = createCollector({ config });
  c.stageStarted(stage(0));
  c.add(record());
  const early = c.stageEnded(stage(0));
  expect(early?.metrics.count).toBe(1);
  c.add(record({ index: 1 }));
  expect(c.finish({ interrupted: false }).stages[0]?.metrics.count).toBe(2);
});

test("a stage still open when the run is interrupted is marked interrupted", () => {
  const c = createCollector({ config });
  c.stageStarted(stage(0));
  c.add(record());
  const report = c.finish({ interrupted: true });
  expect(report.interrupted).toBe(true);
  expect(report.stages[0]?.info.status).toBe("interrupted");
});

test("failure messages are capped per label and labels sort by count", () => {
  const c = createCollector({ config });
  for (let i = 0; i < 5; i++) c.add(record({ failure: "timeout", errorMessage: `t${i}` }));
  c.add(record({ failure: "connect", errorMessage: "refused" }));
  const byLabel = c.finish({ interrupted: false }).summary.byLabel;
  expect(Object.keys(byLabel)).toEqual(["Timeout", "Connection Error"]);
  expect(byLabel.Timeout).toEqual({ count: 5, messages: ["t0", "t1"] });
});

test("a probe stage (id -1) is accumulated for its caller, with completions when asked, never reported", () => {
  const c = createCollector({ config });
  c.stageStarted(stage(-1, { kind: "concurrent", type: "concurrent" }), { keepCompletions: true });
  c.add(record({ stageId: -1, sentMs: 10, endMs: 50, adapter: "a" }));
  c.add(record({ stageId: -1, sentMs: 12, endMs: 70 }));
  c.add(record({ stageId: -1, failure: "cancelled" }));
  const probe = c.stageEnded(stage(-1)).metrics;
  expect(probe.completions).toEqual([
    { sentMs: 10, endMs: 50 },
    { sentMs: 12, endMs: 70 },
  ]);
  expect([probe.successCount, probe.byKind]).toEqual([2, { cancelled: 1 }]);
  const report = c.finish({ interrupted: false });
  expect([report.stages, report.adapters, report.summary.count]).toEqual([[], [], 0]);
});

test("stage metrics carry the median schedule delay whatever percentiles the report asks for", () => {
  const c = createCollector({ config: { report: { request_lifecycle: { percentiles: [90] } } } });
  c.stageStarted(stage(0));
  for (const [scheduledMs, sentMs] of [
    [0, 0.5],
    [10, 10.1],
    [20, 23],
    [30, 30.2],
    [40, 40.3],
  ] as const)
    c.add(record({ scheduledMs, sentMs }));
  const metrics = c.stageEnded(stage(0)).metrics;
  expect(metrics.medianScheduleDelayS * 1000).toBeCloseTo(0.3, 9);
  expect(metrics.completions).toBeNull();
});

test("an uncounted prompt (-1) adds no prompt sample and nothing to the totals", () => {
  const c = createCollector({ config });
  c.add(record({ promptTokens: -1, failure: "connect" }));
  c.add(record({ promptTokens: 7 }));
  const summary = c.finish({ interrupted: false }).summary;
  expect(summary.failurePromptTokens).toBeNull();
  expect(summary.failureTotalPromptTokens).toBe(0);
  expect(summary.promptTokens?.max).toBe(7);
});
