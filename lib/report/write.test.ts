import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { createCollector } from "../metrics/collector.ts";
import { record } from "../record/record.testing.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { fixedConfig, fixedRun, fixedStages } from "./fixed-run.testing.ts";
import { createRecordWriter } from "./records.ts";
import {
  perRequestRecordsPath,
  reportDir,
  savedConfigPath,
  writeReports,
  writeStageReport,
} from "./write.ts";

const root = tempDirForTests("inferload-write-");
let n = 0;
const freshDir = () => join(root, `run-${n++}`);

test("the default flags write summary, stage, adapter files and config.yaml with inference-perf's names", async () => {
  const dir = freshDir();
  const config = {
    ...fixedConfig,
    report: { request_lifecycle: { ...fixedConfig.report.request_lifecycle, per_adapter_stage: false } },
  };
  const written = await writeReports(fixedRun(), config, { dir, configYaml: "api:\n  type: completion\n" });
  expect(written.map((p) => basename(p)).sort()).toEqual([
    "adapter_lora-a_lifecycle_metrics.json",
    "config.yaml",
    "stage_0_lifecycle_metrics.json",
    "stage_1_lifecycle_metrics.json",
    "summary_lifecycle_metrics.json",
  ]);
  expect(readFileSync(join(dir, "config.yaml"), "utf8")).toContain("type: completion");
  // Pretty JSON (indent 2), as inference-perf writes it.
  expect(readFileSync(join(dir, "summary_lifecycle_metrics.json"), "utf8")).toStartWith(
    '{\n  "load_summary": {',
  );
  expect(readdirSync(dir).some((name) => name.includes(".tmp-"))).toBe(false);
});

test("flags turn files off and on, the prefix applies to every file, and storage.local_storage.path is the default dir", async () => {
  const dir = freshDir();
  const config = {
    report: {
      request_lifecycle: { summary: false, per_stage: false, per_adapter: false, per_adapter_stage: true },
    },
    storage: { local_storage: { path: dir, report_file_prefix: "run1_" } },
  };
  const written = await writeReports(fixedRun(), config, {});
  expect(written.map((p) => basename(p)).sort()).toEqual([
    "run1_adapter_lora-a_stage_0_lifecycle_metrics.json",
  ]);
  expect(reportDir(config)).toBe(dir);
  expect(reportDir(config, "/elsewhere")).toBe("/elsewhere");
});

test("per_request converts the streamed JSONL into inference-perf's per-request JSON array", async () => {
  const dir = freshDir();
  const config = {
    report: { request_lifecycle: { per_request: true, per_stage: true, percentiles: [50] } },
    storage: { local_storage: { path: dir, report_file_prefix: null } },
  };
  const recordsPath = perRequestRecordsPath(config, dir);
  expect(recordsPath).toBe(join(dir, "per_request_records.jsonl"));
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dir, { recursive: true });
  const collector = createCollector({ config });
  const writer = createRecordWriter(recordsPath!);
  collector.stageStarted(fixedStages[0]!);
  for (const r of [
    record({ index: 0 }),
    record({ index: 1, failure: "http_status", status: 503, errorMessage: "down" }),
  ]) {
    collector.add(r);
    writer.write(r);
  }
  writer.writeStage(collector.stageEnded(fixedStages[0]!).info);
  writer.close();
  const written = await writeReports(collector.finish({ interrupted: false }), config, {
    dir,
    perRequestRecords: recordsPath,
  });
  expect(written.map((p) => basename(p))).toContain("per_request_lifecycle_metrics.json");
  const entries = JSON.parse(readFileSync(join(dir, "per_request_lifecycle_metrics.json"), "utf8"));
  expect(entries).toHaveLength(2);
  expect(Object.keys(entries[0]).slice(0, 6)).toEqual([
    "start_time",
    "end_time",
    "request",
    "response",
    "info",
    "computed_metrics",
  ]);
  expect(entries[0].computed_metrics.time_to_first_token).toBeCloseTo(0.02, 9);
  expect(entries[0].error).toBeNull();
  expect(entries[1].error).toEqual({ error_type: "HTTP Error 503", error_msg: "down", kind: "http_status" });
});

test("writeStageReport() saves a finished stage at once, so an interrupted run keeps it", () => {
  const dir = freshDir();
  const run = fixedRun();
  const path = writeStageReport(run.stages[0]!, fixedConfig, { dir, interrupted: true });
  expect(path).toBe(join(dir, "stage_0_lifecycle_metrics.json"));
  expect(JSON.parse(readFileSync(path!, "utf8")).interrupted).toBe(true);
  expect(writeStageReport(run.stages[0]!, { ...fixedConfig, storage: null }, {})).toBeNull();
});

test("nothing is written without a directory, and empty buckets get no file", async () => {
  expect(await writeReports(fixedRun(), { ...fixedConfig, storage: null }, {})).toEqual([]);
  const dir = freshDir();
  const empty = createCollector({ config: fixedConfig }).finish({ interrupted: true });
  expect(await writeReports(empty, fixedConfig, { dir })).toEqual([]);
  expect(existsSync(join(dir, "summary_lifecycle_metrics.json"))).toBe(false);
});

test("a null report switch means off, as in inference-perf's Optional[bool] fields", async () => {
  const dir = freshDir();
  const config = {
    report: { request_lifecycle: { summary: null, per_stage: true, per_adapter: null } },
    storage: { local_storage: { path: dir, report_file_prefix: null } },
  };
  const written = await writeReports(fixedRun(), config, {});
  expect(written.map((p) => basename(p)).sort()).toEqual([
    "stage_0_lifecycle_metrics.json",
    "stage_1_lifecycle_metrics.json",
  ]);
});

test.each([
  ["r/per_request_records.jsonl", "r/config.yaml"],
  ["r/run1_per_request_records.jsonl", "r/run1_config.yaml"], // report_file_prefix "run1_"
  ["r/renamed.jsonl", "r/config.yaml"],
])("savedConfigPath(%s) is %s, the config.yaml the run saved beside it", (records, config) => {
  expect(savedConfigPath(records)).toBe(config);
});
