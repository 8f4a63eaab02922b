// End-to-end: `inferload run` against the built-in simulator writes its reports and records, then
// `inferload report` rebuilds them from the records alone, in-process with argv arrays.
import { beforeAll, describe, expect, spyOn, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomData, simConfig, writeConfigFile } from "../lib/run/benchmark.testing.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";

/** Runs the CLI, returning its exit code and what it wrote on stdout. */
async function cliWithStdout(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const spy = spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  });
  try {
    return { code: await runCli(argv), stdout };
  } finally {
    spy.mockRestore();
  }
}

const dir = tempDirForTests("inferload-report-test-");
const out = join(dir, "run");
/** stdout of `run --json`: the run's own numbers, to compare with `report --json`. */
let runJson: Record<string, unknown>;

beforeAll(async () => {
  const config = writeConfigFile(
    dir,
    simConfig(null, {
      data: randomData({ min: 20, max: 40, mean: 30, std_dev: 5 }, { min: 3, max: 6, mean: 4, std_dev: 1 }),
      load: {
        num_workers: 2,
        base_seed: 3,
        stages: [
          { rate: 10, duration: 1 },
          { rate: 10, duration: 1 },
        ],
        lora_traffic_split: [
          { name: "movie", split: 0.5 },
          { name: "consumer", split: 0.5 },
        ],
      },
      report: { request_lifecycle: { per_request: true, per_adapter_stage: true } },
    }),
    "config",
  );
  const run = await cliWithStdout(["run", "-c", config, "--quiet", "--json", "--output-dir", out]);
  expect(run.code).toBe(0);
  runJson = JSON.parse(run.stdout);
}, 60_000);

const records = () => join(out, "per_request_records.jsonl");

describe("inferload report", () => {
  test("rebuilds every report file of a run byte for byte, into rebuilt/ beside the records", async () => {
    const { code, stdout } = await cliWithStdout(["report", records(), "--quiet", "--json"]);
    expect(code).toBe(0);
    const rebuilt = join(out, "rebuilt");
    const runFiles = readdirSync(out).filter((name) => name !== "rebuilt" && !name.endsWith(".jsonl"));
    // Summary, 2 stages, 2 adapters, 4 adapter-stages, per-request JSON, config.yaml.
    expect(runFiles).toHaveLength(11);
    expect(readdirSync(rebuilt).sort()).toEqual(runFiles.sort());
    for (const name of runFiles) {
      expect(`${name}: ${readFileSync(join(rebuilt, name), "utf8")}`).toBe(
        `${name}: ${readFileSync(join(out, name), "utf8")}`,
      );
    }
    // --json carries the same numbers and run keys as the run's own --json.
    const json = JSON.parse(stdout);
    expect(json.report_dir).toBe(rebuilt);
    const { report_dir: _a, files: _b, ...same } = runJson;
    const { report_dir: _c, files: _d, ...rebuiltSame } = json;
    expect(rebuiltSame).toEqual(same);
  }, 30_000);

  test("takes -c and --output-dir, and --set on that config changes the rebuilt numbers", async () => {
    const elsewhere = join(dir, "elsewhere");
    const code = await runCli([
      "report",
      records(),
      "-c",
      join(out, "config.yaml"),
      "--set",
      "report.request_lifecycle.percentiles=[95]",
      "--quiet",
      "--output-dir",
      elsewhere,
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(elsewhere, "summary_lifecycle_metrics.json"), "utf8"));
    expect(Object.keys(summary.successes.latency.request_latency)).toEqual(["mean", "min", "p95", "max"]);
  }, 30_000);

  test.each([
    ["no records file", () => ["report"]],
    ["a missing records file", () => ["report", join(dir, "absent.jsonl")]],
    ["--json with --markers", () => ["report", records(), "--json", "--markers"]],
  ])("exits 2 for %s", async (_name, argv) => {
    expect(await runCli(argv())).toBe(2);
  });

  test("judges --threshold on the rebuilt reports: exit 3 and the results in --json, as run does", async () => {
    const records = join(out, "per_request_records.jsonl");
    const { code, stdout } = await cliWithStdout([
      "report",
      records,
      "--quiet",
      "--json",
      "--output-dir",
      join(dir, "judged"),
      "--threshold",
      "requests.count == 20",
      "--threshold",
      "requests_per_sec > 1000000",
    ]);
    expect(code).toBe(3);
    const json = JSON.parse(stdout);
    expect(json.status).toBe("thresholds_failed");
    // Each threshold on the run and both stages: the count holds for the run alone (10 per stage).
    expect(
      json.thresholds.map((r: { expression: string; stage: number | null; passed: boolean }) => [
        r.expression,
        r.stage,
        r.passed,
      ]),
    ).toEqual([
      ["requests.count == 20", null, true],
      ["requests.count == 20", 0, false],
      ["requests.count == 20", 1, false],
      ["requests_per_sec > 1000000", null, false],
      ["requests_per_sec > 1000000", 0, false],
      ["requests_per_sec > 1000000", 1, false],
    ]);
  });

  test("exits 2 for a records file with a malformed line in the middle", async () => {
    const lines = readFileSync(records(), "utf8").split("\n");
    lines[2] = "{not json";
    const path = join(dir, "malformed.jsonl");
    writeFileSync(path, lines.join("\n"));
    expect(await runCli(["report", path, "--quiet", "--output-dir", join(dir, "malformed")])).toBe(2);
  });
});
