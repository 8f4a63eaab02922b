// One end-to-end case per command in the table: `--help` works, exits 0, and shows flags as users
// type them (kebab-case), in one aligned column.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { commands } from "./main.ts";

const main = join(import.meta.dirname, "main.ts");

function cli(...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 20_000,
  });
}

describe.each(Object.keys(commands))("inferload %s --help", (name) => {
  test("exits 0 and prints the command's usage", () => {
    const result = cli(name, "--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`inferload ${name}`);
  });

  test("shows kebab-case flags in one aligned column", () => {
    const { stdout } = cli(name, "--help");
    expect(stdout).not.toMatch(/--[a-z]+[A-Z]/);
    const descriptionColumns = stdout
      .split("\n")
      .filter((line) => /^\s+-/.test(line))
      .map((line) => /^\s*-\S*(?:.*?\S)? {4,}/.exec(line)?.[0].length);
    expect(new Set(descriptionColumns).size).toBeLessThanOrEqual(1);
  });
});

test("inferload with no command prints the usage and exits 2", () => {
  const result = cli();
  expect(result.status).toBe(2);
  expect(result.stdout).toContain("USAGE");
});

test("a misspelt command suggests the right one and exits 2", () => {
  const result = cli("valdate");
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('did you mean "validate"?');
});

test("--version prints the version and the git commit", () => {
  const result = cli("--version");
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/^inferload \d+\.\d+\.\d+ \((?:[0-9a-f]{12}|unknown)\)\n$/);
});

/** `inferload run` of the quick start with its two stages cut to 1 s each, quiet, into `out`. */
function runQuickstart(out: string, ...flags: string[]) {
  const config = join(import.meta.dirname, "..", "fixtures", "configs", "quickstart.yaml");
  const shortStages = ["--set", "load.stages[0].duration=1", "--set", "load.stages[1].duration=1"];
  const argv = [main, "run", "-c", config, "--quiet", "--output-dir", out, ...shortStages, ...flags];
  const env = { ...process.env, NO_COLOR: "1" };
  return spawnSync(process.execPath, argv, { encoding: "utf8", env, timeout: 60_000 });
}

test("run --markers prints inference-perf's scrapable blocks on stdout, around valid JSON", () => {
  const out = join(import.meta.dirname, "..", ".tmp", `markers-${process.pid}`);
  try {
    const result = runQuickstart(out, "--markers");
    expect(result.status).toBe(0);
    const markers = result.stdout.split("\n").filter((line) => line.startsWith("==="));
    expect(markers).toEqual([
      "=== START_SUMMARY ===",
      "=== END_SUMMARY ===",
      "=== START_STAGE_0 ===",
      "=== END_STAGE_0 ===",
      "=== START_STAGE_1 ===",
      "=== END_STAGE_1 ===",
    ]);
    const summary = result.stdout.slice(result.stdout.indexOf("{"), result.stdout.indexOf("=== END_SUMMARY"));
    expect(JSON.parse(summary).load_summary.count).toBeGreaterThan(0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 70_000);

test("run refuses --json with --markers (both use stdout) with exit 2", () => {
  const result = cli("run", "-c", "x.yaml", "--json", "--markers");
  expect(result.status).toBe(2);
  expect(result.stderr).toContain("Cannot use --json with --markers");
});

test("report names a records file that is not there and exits 2, without a stack", () => {
  const result = cli("report", "no-such-records.jsonl");
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('Cannot read records "no-such-records.jsonl": file not found');
  expect(result.stderr).not.toContain("    at ");
});

/** The quick start's run with metrics.type scrape and per-stage server reports. */
function runWithScrape(out: string, ...flags: string[]) {
  return runQuickstart(
    out,
    ...["--set", "metrics.type=scrape", "--set", "report.prometheus.per_stage=true"],
    ...flags,
  );
}

test("run --json with metrics.type scrape carries the server's numbers beside the client's and the thresholds' results", () => {
  const out = join(import.meta.dirname, "..", ".tmp", `server-metrics-${process.pid}`);
  try {
    const result = runWithScrape(out, "--json", "--threshold", "failures.rate < 50%");
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.status).toBe("ok");
    expect(json.exit_code).toBe(0);
    expect(json.thresholds.length).toBe(3); // the run and its two stages
    expect(json.thresholds.every((t: { passed: boolean }) => t.passed)).toBe(true);
    expect(json.server_metrics.summary.successes.count).toBe(json.summary.successes.count);
    expect(json.server_metrics.stages.map((s: { id: number }) => s.id)).toEqual([0, 1]);
    expect(json.files.some((f: string) => f.endsWith("stage_1_prometheus_metrics.json"))).toBe(true);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 70_000);

test("run --markers with metrics.type scrape prints the server's blocks after the lifecycle blocks", () => {
  const out = join(import.meta.dirname, "..", ".tmp", `server-markers-${process.pid}`);
  try {
    const result = runWithScrape(out, "--markers");
    expect(result.status).toBe(0);
    const ends = ["=== END_SUMMARY ===", "=== END_STAGE_0 ===", "=== END_STAGE_1 ==="];
    const lastLifecycle = Math.max(...ends.map((end) => result.stdout.indexOf(end)));
    expect(ends.every((end) => result.stdout.includes(end))).toBe(true);
    expect(result.stdout.indexOf("=== START_PROMETHEUS_SUMMARY ===")).toBeGreaterThan(lastLifecycle);
    expect(result.stdout).toContain("=== END_PROMETHEUS_STAGE_1 ===");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 70_000);
