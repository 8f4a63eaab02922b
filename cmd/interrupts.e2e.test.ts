// Interrupts against the real CLI: `bun cmd/main.ts run …` in a child process, real signals sent to
// it, a simulator in this process as the server (so the test sees what was sent without reading logs).
// For every case: the run ends soon, exit 130, the reports are written and marked interrupted, the
// records file holds only whole lines, and no temporary file is left. The cases run at once (six
// children with one Worker each), the burst case twice since its races differ run to run: about
// 15 s on an idle 2-core machine.
import { describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  randomData,
  readReport,
  simConfig,
  simForTests,
  writeConfigFile,
} from "../lib/run/benchmark.testing.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";

const main = join(import.meta.dirname, "main.ts");
const dir = tempDirForTests("inferload-interrupts-test-");
// Each request streams 40 tokens 25 ms apart: about a second in flight.
const sim = simForTests({ prefillMs: 5, itlMs: 25 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let n = 0;
interface Run {
  child: ChildProcess;
  out: string;
  exited: Promise<{ code: number | null; signal: string | null; ms: number }>;
  /** Resolves once the child has logged that a stage started (stderr, used only to time the signal). */
  stageStarted(id: number): Promise<void>;
  /** Resolves once the child has logged its last line before writing the reports. */
  reportsStarted(): Promise<void>;
}

function startRun(load: Record<string, unknown>, outputTokens = 40): Run {
  const name = `run-${++n}`;
  const out = join(dir, name);
  const config = writeConfigFile(
    dir,
    simConfig(sim().url, {
      server: { ignore_eos: true },
      data: randomData(10, outputTokens),
      load,
      report: { request_lifecycle: { per_request: true } },
    }),
    name,
  );
  const started = performance.now();
  const child = spawn(process.execPath, [main, "run", "-c", config, "--output-dir", out], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    stderr += text;
    for (const w of waiters) if (stderr.includes(w.text)) w.resolve();
  });
  const logged = (text: string) =>
    new Promise<void>((resolve) => {
      if (stderr.includes(text)) resolve();
      else waiters.push({ text, resolve });
    });
  const exited = new Promise<{ code: number | null; signal: string | null; ms: number }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, ms: performance.now() - started }));
  });
  // Never outlive the test: a run that does not stop is killed (and the test fails on its exit).
  const guard = setTimeout(() => child.kill("SIGKILL"), 55_000);
  exited.then(() => clearTimeout(guard));
  return {
    child,
    out,
    exited,
    stageStarted: (id) => logged(`Stage ${id}:`),
    reportsStarted: () => logged("Request sequence fingerprint"),
  };
}

/** What every interrupted run must leave behind. */
function expectInterruptedReports(out: string) {
  const files = readdirSync(out);
  expect(files.filter((f) => f.includes(".tmp"))).toEqual([]);
  expect(files).toContain("config.yaml");
  expect(readReport(out, "summary_lifecycle_metrics.json").interrupted).toBe(true);
  const lines = readFileSync(join(out, "per_request_records.jsonl"), "utf8").split("\n");
  expect(lines.at(-1)).toBe(""); // ends with a newline: no line was cut
  for (const line of lines.slice(0, -1)) JSON.parse(line);
  expect(JSON.parse(lines.at(-2) as string).run.interrupted).toBe(true);
  expect(Array.isArray(readReport(out, "per_request_lifecycle_metrics.json"))).toBe(true);
}

// A 60 s interval after the first stage: an interrupt during the stage must not wait it out.
const twoLongStages = {
  type: "constant",
  interval: 60,
  stages: [
    { rate: 10, duration: 30 },
    { rate: 10, duration: 30 },
  ],
};

describe("inferload run, interrupted", () => {
  test.concurrent.each([
    ["two SIGINTs 50 ms apart, as a process group gets them", ["SIGINT", "SIGINT"]],
    ["two SIGINTs 50 ms apart, again (the races differ run to run)", ["SIGINT", "SIGINT"]],
    // Any of these left to its default would kill the process: each must be an interrupt.
    ["SIGHUP, SIGTERM and SIGQUIT 50 ms apart", ["SIGHUP", "SIGTERM", "SIGQUIT"]],
  ] as const)(
    "by %s: one interrupt; requests in flight finish, reports are written, exit 130",
    async (_, signals) => {
      const run = startRun(twoLongStages);
      await run.stageStarted(0);
      await sleep(1000); // requests in flight, some finished
      const signalledAt = performance.now();
      for (const [i, name] of signals.entries()) {
        if (i > 0) await sleep(50);
        run.child.kill(name);
      }
      const { code, signal } = await run.exited;
      expect([code, signal]).toEqual([130, null]);
      // Requests last about a second: far sooner than the 29 s left of the stage, or the interval.
      expect(performance.now() - signalledAt).toBeLessThan(20_000);
      expectInterruptedReports(run.out);
      const stage = readReport(run.out, "stage_0_lifecycle_metrics.json");
      expect(stage.load_summary.count).toBeGreaterThan(0);
      // One interrupt (however many copies of it): the grace period let every request finish.
      expect(stage.failures.count).toBe(0);
      expect(existsSync(join(run.out, "stage_1_lifecycle_metrics.json"))).toBe(false);
    },
    60_000,
  );

  test.concurrent("a second interrupt a second later cancels requests in flight and still writes the reports", async () => {
    // 200 tokens at 25 ms: each request would take 5 s.
    const run = startRun({ type: "concurrent", stages: [{ num_requests: 8, concurrency_level: 4 }] }, 200);
    await run.stageStarted(0);
    await sleep(800);
    run.child.kill("SIGINT");
    await sleep(1200);
    run.child.kill("SIGINT");
    const secondAt = performance.now();
    const { code } = await run.exited;
    expect(code).toBe(130);
    expect(performance.now() - secondAt).toBeLessThan(15_000); // not the requests' 5 s, nor the 120 s grace
    expectInterruptedReports(run.out);
    const stage = readReport(run.out, "stage_0_lifecycle_metrics.json");
    expect(stage.failures.by_kind.cancelled).toBeGreaterThan(0);
  }, 60_000);

  test.concurrent("between stages, during a long load.interval, stops at once", async () => {
    const run = startRun({
      type: "constant",
      interval: 60,
      stages: [
        { rate: 10, duration: 1 },
        { rate: 10, duration: 1 },
      ],
    });
    await run.stageStarted(0);
    // The first stage's 10 requests end about 2 s after it starts; then the 60 s interval begins.
    for (let i = 0; i < 400 && !existsSync(join(run.out, "stage_0_lifecycle_metrics.json")); i++)
      await sleep(50);
    await sleep(200);
    const signalledAt = performance.now();
    run.child.kill("SIGINT");
    const { code } = await run.exited;
    expect(code).toBe(130);
    expect(performance.now() - signalledAt).toBeLessThan(15_000); // not the 60 s interval
    expectInterruptedReports(run.out);
    expect(readReport(run.out, "stage_0_lifecycle_metrics.json").load_summary.count).toBe(10);
    expect(existsSync(join(run.out, "stage_1_lifecycle_metrics.json"))).toBe(false);
  }, 60_000);

  test.concurrent("interrupts while the reports are being written leave them whole and no temporary file", async () => {
    // 600 one-token requests: the per-request report takes a moment to write after the last one.
    const run = startRun({ type: "concurrent", stages: [{ num_requests: 600, concurrency_level: 20 }] }, 1);
    await run.reportsStarted();
    run.child.kill("SIGINT");
    await sleep(50);
    run.child.kill("SIGINT");
    await sleep(1100);
    run.child.kill("SIGINT"); // a further interrupt, if it is still writing
    const { code, signal } = await run.exited;
    // Every stage had finished: nothing was interrupted, and the reports say so. The last signal may
    // come after the run let go of its handlers (reports written, process on its way out): then the
    // signal's default ends it, with nothing left to lose.
    expect(code === 0 || signal === "SIGINT").toBe(true);
    const files = readdirSync(run.out);
    expect(files.filter((f) => f.includes(".tmp"))).toEqual([]);
    expect(readReport(run.out, "summary_lifecycle_metrics.json").interrupted).toBe(false);
    expect(readReport(run.out, "per_request_lifecycle_metrics.json")).toHaveLength(600);
  }, 60_000);
});
