// End-to-end: how `inferload run` ends. The real CLI in-process against the built-in simulator:
// exit 3 on a failed threshold (reports still written, --json says which and by how much), exit 1
// when nothing succeeded, exit 2 for a bad threshold before any request; and `-c -` through a real
// process with the config on its standard input.
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { simConfig, simForTests, writeConfigFile } from "../lib/run/benchmark.testing.ts";
import type { RunningSim } from "../lib/sim/start.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";

const dir = tempDirForTests("inferload-outcome-test-");
const sim = simForTests({ prefillMs: 20, itlMs: 2 });
const failing = simForTests({ faults: { rate500: 0.5, rate503: 0.5 } });

function config(target: RunningSim, extra: Record<string, unknown> = {}) {
  return simConfig(target.url, {
    data: { type: "mock" },
    load: { stages: [{ rate: 10, duration: 1 }] },
    ...extra,
  });
}
const writeConfig = (raw: Record<string, unknown>) => writeConfigFile(dir, raw);

/** Runs the CLI in-process, keeping what it writes on stdout. */
async function runCapturing(argv: string[]): Promise<{ code: number; stdout: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let stdout = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await runCli(argv), stdout };
  } finally {
    process.stdout.write = write;
  }
}

describe("inferload run exit codes", () => {
  test("exits 3 after writing every report when a threshold fails, and --json says which and by how much", async () => {
    const out = join(dir, "threshold");
    // The simulator takes 20 ms to the first token: a 1 ms TTFT limit must fail, a 10 s one pass.
    const path = writeConfig(config(sim(), { thresholds: ["ttft.p50 < 1ms"] }));
    const { code, stdout } = await runCapturing([
      "run",
      "-c",
      path,
      "--quiet",
      "--json",
      "--output-dir",
      out,
      "--threshold",
      "request_latency.max < 10s",
    ]);
    expect(code).toBe(3);
    expect(existsSync(join(out, "summary_lifecycle_metrics.json"))).toBe(true);
    expect(existsSync(join(out, "stage_0_lifecycle_metrics.json"))).toBe(true);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ status: "thresholds_failed", exit_code: 3 });
    const failed = json.thresholds.filter((r: { passed: boolean }) => !r.passed);
    // Two thresholds, each on the run and the one stage; the TTFT one fails on both.
    expect(json.thresholds.length).toBe(4);
    expect(failed.map((r: { origin: string; scope: string }) => [r.origin, r.scope])).toEqual([
      ["thresholds[0]", "run"],
      ["thresholds[0]", "stage"],
    ]);
    expect(failed[0]).toMatchObject({
      expression: "ttft.p50 < 1ms",
      metric: "ttft.p50",
      op: "<",
      limit: 0.001,
      unit: "seconds",
      stage: null,
    });
    expect(failed[0].value).toBeGreaterThan(0.015);
    expect(failed[0].delta).toBeCloseTo(failed[0].value - 0.001, 12);
    // The value is the one in the report file.
    const summary = JSON.parse(readFileSync(join(out, "summary_lifecycle_metrics.json"), "utf8"));
    expect(failed[0].value).toBe(summary.successes.latency.time_to_first_token.median);
  }, 60_000);

  test("exits 0 when every threshold holds", async () => {
    const path = writeConfig(config(sim(), { thresholds: ["failures.rate == 0", "ttft.p50 < 10 s"] }));
    const { code } = await runCapturing(["run", "-c", path, "--quiet", "--output-dir", join(dir, "pass")]);
    expect(code).toBe(0);
  }, 60_000);

  test("exits 1 naming the failure kinds when no request succeeded, even without thresholds", async () => {
    const out = join(dir, "nothing");
    const { code, stdout } = await runCapturing([
      "run",
      "-c",
      writeConfig(config(failing())),
      "--quiet",
      "--json",
      "--output-dir",
      out,
    ]);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ status: "no_successes", exit_code: 1, thresholds: [] });
    expect(json.summary.failures.by_kind).toEqual({ http_status: 10 });
    expect(existsSync(join(out, "summary_lifecycle_metrics.json"))).toBe(true);
  }, 60_000);

  test("a malformed threshold exits 2 before any request is sent", async () => {
    const before = sim().stats().completed;
    const out = join(dir, "bad-threshold");
    const code = await runCli([
      "run",
      "-c",
      writeConfig(config(sim(), { thresholds: ["ttft.p99 < 0.5"] })),
      "--quiet",
      "--output-dir",
      out,
      "--threshold",
      "ttft.p99 <",
    ]);
    expect(code).toBe(2);
    expect(sim().stats().completed).toBe(before);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe("inferload run -c -", () => {
  test("reads the config from standard input, prints only the JSON on stdout and logs on stderr", async () => {
    const main = resolve(import.meta.dirname, "main.ts");
    const out = join(dir, "stdin");
    // YAML on stdin: the format comes from the content.
    const yaml = [
      "data: {type: mock}",
      "load: {type: constant, stages: [{rate: 10, duration: 1}], num_workers: 1}",
      `server: {base_url: "${sim().url}", model_name: sim-model}`,
    ].join("\n");
    const child = spawn(process.execPath, [main, "run", "-c", "-", "--json", "--output-dir", out], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.end(yaml);
    const code = await new Promise<number | null>((done) => child.on("exit", done));
    expect(code).toBe(0);
    const json = JSON.parse(stdout); // one JSON object and nothing else
    expect(json).toMatchObject({ status: "ok", exit_code: 0, report_dir: out });
    expect(json.summary.successes.count).toBe(10);
    expect(stderr).toContain(`Reports: ${out}`);
    // The resolved config is printed only when asked for.
    expect(stderr).not.toContain("Resolved config");
  }, 60_000);

  test("a refused config exits 2 at once: the Worker started early is ended, not left to hold the process", async () => {
    const main = resolve(import.meta.dirname, "main.ts");
    const child = spawn(process.execPath, [main, "run", "-c", "-", "--quiet"], { cwd: dir });
    child.stdin.end("load: {type: constant, stages: [{rate: -1, duration: 1}]}\n");
    const exited = new Promise<number | null>((done) => child.on("exit", done));
    const timeout = new Promise<"hung">((done) => setTimeout(() => done("hung"), 30_000));
    const code = await Promise.race([exited, timeout]);
    if (code === "hung") child.kill("SIGKILL");
    expect(code).toBe(2);
  }, 40_000);
});
