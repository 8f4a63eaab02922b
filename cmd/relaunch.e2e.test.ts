// A long `run` starts itself again with the load allocator settings (lib/run/allocator-relaunch.ts),
// from source and as the compiled binary. What the user launched must stay the process that runs: the
// same pid (so a signal to it or to its group reaches the run, with nothing in between to forward or
// double it), the config read from stdin, the `--json` result on stdout, the exit code. A short run
// is not relaunched (its start-up is most of its time), and a value the user set wins.
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { STDIN_HANDOFF_ENV, STDIN_HANDOFF_PREFIX } from "../lib/config/read.ts";
import { RELAUNCH_MIN_REQUESTS } from "../lib/run/allocator-relaunch.ts";
import { randomData, readReport, simConfig, simForTests } from "../lib/run/benchmark.testing.ts";
import { LOAD_ALLOCATOR_ENV } from "../lib/runtime/allocator.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { compiledBinary } from "../scripts/compiled-binary.testing.ts";

const main = join(import.meta.dirname, "main.ts");
const dir = tempDirForTests("inferload-relaunch-test-");
const sim = simForTests({ prefillMs: 1, itlMs: 5 });
const linuxBun = process.platform === "linux" && typeof Bun !== "undefined";

/** The environment of a running process, from /proc (Linux). */
function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
    const at = entry.indexOf("=");
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

interface Launched {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The launched pid's environment, read once its first stage had started. */
  environ: Record<string, string>;
  out: string;
}

/** Long enough to be relaunched; interrupted once its stage has started. */
const longStage = { rate: 100, duration: Math.ceil(RELAUNCH_MIN_REQUESTS / 100) };
/** 40 requests: a short run. */
const shortStage = { rate: 20, duration: 2 };

let n = 0;
/**
 * Runs `inferload run -c - --json` with the config on stdin and reads the launched pid's environment
 * once the stage has started; a long stage is then interrupted (SIGINT to that pid).
 */
function launch(
  command: string[],
  stage: { rate: number; duration: number },
  extraEnv: Record<string, string> = {},
): Promise<Launched> {
  const out = join(dir, `run-${++n}`);
  const config = simConfig(sim().url, {
    data: randomData(10, 4),
    load: { type: "constant", stages: [stage] },
  });
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...extraEnv };
  if (!("MIMALLOC_PURGE_DELAY" in extraEnv)) delete env.MIMALLOC_PURGE_DELAY;
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, [...args, "run", "-c", "-", "--json", "--output-dir", out], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end(JSON.stringify(config));
  let stdout = "";
  let stderr = "";
  let environ: Record<string, string> = {};
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
    if (Object.keys(environ).length === 0 && stderr.includes("Stage 0:")) {
      environ = environOf(child.pid!);
      if (stage === longStage) setTimeout(() => child.kill("SIGINT"), 300);
    }
  });
  const guard = setTimeout(() => child.kill("SIGKILL"), 50_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, environ, out });
    }),
  );
}

/** The run used the config from stdin, wrote its result to stdout and its reports. */
function expectReports(run: Launched, code: number): void {
  expect(run.code).toBe(code);
  expect(JSON.parse(run.stdout)).toBeObject();
  expect(readReport(run.out, "stage_0_lifecycle_metrics.json").load_summary.count).toBeGreaterThan(0);
  expect(readReport(run.out, "summary_lifecycle_metrics.json").interrupted).toBe(code === 130);
}

describe.if(linuxBun)("inferload run, relaunched with the load allocator settings", () => {
  const sources: [string, () => string[]][] = [
    ["from source", () => [process.execPath, main]],
    ["as the compiled binary", () => [compiledBinary()]],
  ];

  test.each(sources)(
    "%s: a long run's launched pid runs with them, its stdin config handed over, its interrupt and stdout intact",
    async (_, command) => {
      const run = await launch(command(), longStage);
      expectReports(run, 130);
      for (const [name, value] of Object.entries(LOAD_ALLOCATOR_ENV)) expect(run.environ[name]).toBe(value);
      // The handover file was read and removed.
      const handoff = run.environ[STDIN_HANDOFF_ENV]!;
      expect(basename(dirname(handoff))).toStartWith(STDIN_HANDOFF_PREFIX);
      expect(existsSync(dirname(handoff))).toBe(false);
    },
    60_000,
  );

  test("a short run is not relaunched", async () => {
    const run = await launch([process.execPath, main], shortStage);
    expectReports(run, 0);
    expect(run.environ.MIMALLOC_PURGE_DELAY).toBeUndefined();
    expect(run.stderr).toContain("Stage 0:");
  }, 60_000);

  test("a value the user set is kept, and a long run is not relaunched", async () => {
    const run = await launch([process.execPath, main], longStage, { MIMALLOC_PURGE_DELAY: "25" });
    expectReports(run, 130);
    expect(run.environ.MIMALLOC_PURGE_DELAY).toBe("25");
    expect(run.environ[STDIN_HANDOFF_ENV]).toBeUndefined();
  }, 60_000);
});
