import { expect, test } from "bun:test";
import { createCollector } from "../metrics/collector.ts";
import { fixedRun, fixedStages } from "./fixed-run.testing.ts";
import { lifecycleReport } from "./lifecycle-json.ts";
import { isKindOn, type LifecycleSwitches, type ReportKind, reportSet } from "./report-set.ts";

test("reportSet() lists summary, stages, adapters and adapter-stages in that order, with inference-perf's file names", () => {
  expect(reportSet(fixedRun()).map((entry) => [entry.kind, entry.file, entry.count])).toEqual([
    ["summary", "summary_lifecycle_metrics.json", 14],
    ["stage", "stage_0_lifecycle_metrics.json", 10],
    ["stage", "stage_1_lifecycle_metrics.json", 4],
    ["adapter", "adapter_lora-a_lifecycle_metrics.json", 5],
    ["adapter_stage", "adapter_lora-a_stage_0_lifecycle_metrics.json", 5],
  ]);
});

test("each entry is the lifecycle report of its bucket, with the stage and the run's keys", () => {
  const run = fixedRun();
  const extra = { base_seed: 7 };
  const [summary, stage0] = reportSet(run, { extra });
  expect(summary?.report).toEqual(lifecycleReport(run.summary, { interrupted: false, extra }));
  expect(stage0?.report).toEqual(
    lifecycleReport(run.stages[0]!.metrics, { interrupted: false, extra, stage: fixedStages[0] }),
  );
  expect(stage0?.report.base_seed).toBe(7);
});

test.each<[LifecycleSwitches, ReportKind[]]>([
  // switches → kinds in the set
  [{}, ["summary", "stage", "stage", "adapter"]], // inference-perf's defaults: per_adapter_stage off
  [{ summary: null, per_adapter: false }, ["stage", "stage"]], // null means off
  [{ per_stage: false, per_adapter_stage: true }, ["summary", "adapter", "adapter_stage"]],
])("report.request_lifecycle %j selects the kinds %j", (switches, kinds) => {
  expect(reportSet(fixedRun(), { switches }).map((entry) => entry.kind)).toEqual(kinds);
});

test("buckets without requests are left out unless keepEmpty asks for them", () => {
  const collector = createCollector({ config: { report: { request_lifecycle: {} } } });
  collector.stageEnded(fixedStages[0]!);
  const run = collector.finish({ interrupted: true });
  expect(reportSet(run)).toEqual([]);
  expect(reportSet(run, { keepEmpty: true }).map((entry) => [entry.kind, entry.count])).toEqual([
    ["summary", 0],
    ["stage", 0],
  ]);
});

test("isKindOn() reads absent switches as inference-perf's defaults", () => {
  expect(isKindOn({}, "summary")).toBe(true);
  expect(isKindOn({}, "per_request")).toBe(false);
  expect(isKindOn({ per_request: true }, "per_request")).toBe(true);
  expect(isKindOn({ per_stage: null }, "stage")).toBe(false);
});
