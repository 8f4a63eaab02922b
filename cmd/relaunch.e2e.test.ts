// `run` starts itself again with the load allocator settings (lib/runtime/allocator.ts), from source
// and as the compiled binary. What the user launched must be the process that runs: same pid (so a
// signal to it or to its group reaches the run, with nothing in between to forward or double it), the
// config read from stdin, the `--json` result on stdout, the exit code; and a value the user set wins.
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
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
  /** The launched pid's environment, read once its stage had started. */
  environ: Record<string, string>;
  out: string;
}

let n = 0;
/** Runs `inferload run -c - --json` with the config on stdin; reads the pid's environment mid-run. */
function launch(command: string[], extraEnv: Record<string, string> = {}): Promise<Launched> {
  const out = join(dir, `run-${++n}`);
  const config = simConfig(sim().url, {
    data: randomData(10, 4),
    load: { type: "constant", stages: [{ rate: 20, duration: 2 }] },
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
    if (Object.keys(environ).length === 0 && stderr.includes("Stage 0:")) environ = environOf(child.pid!);
  });
  const guard = setTimeout(() => child.kill("SIGKILL"), 50_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, environ, out });
    }),
  );
}

function expectWholeRun(run: Launched): void {
  expect(run.code).toBe(0);
  // stdout is still the caller's pipe: the --json result arrived whole.
  expect(JSON.parse(run.stdout)).toBeObject();
  // The config came from stdin after the relaunch: the run used it.
  expect(readReport(run.out, "stage_0_lifecycle_metrics.json").load_summary.count).toBe(40);
}

describe.if(linuxBun)("inferload run, relaunched with the load allocator settings", () => {
  const sources: [string, () => string[]][] = [
    ["from source", () => [process.execPath, main]],
    ["as the compiled binary", () => [compiledBinary()]],
  ];

  test.each(sources)(
    "%s: the launched pid runs with them, reading stdin and writing stdout",
    async (_, command) => {
      const run = await launch(command());
      expectWholeRun(run);
      for (const [name, value] of Object.entries(LOAD_ALLOCATOR_ENV)) expect(run.environ[name]).toBe(value);
    },
    60_000,
  );

  test("a value the user set is kept, and the run is not relaunched", async () => {
    const run = await launch([process.execPath, main], { MIMALLOC_PURGE_DELAY: "25" });
    expectWholeRun(run);
    expect(run.environ.MIMALLOC_PURGE_DELAY).toBe("25");
  }, 60_000);
});
