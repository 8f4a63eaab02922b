// The end-to-end benchmarks' processes (load.ts, server-metrics.ts): the built-in simulator and
// `inferload run`, each pinned to its CPUs with taskset, the client timed by /usr/bin/time (wall, CPU,
// peak RSS) with its RSS sampled from /proc once a second. Linux only.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export type Json = Record<string, unknown>;

export const bun = process.execPath;
/** This checkout: the code a benchmark runs unless told to run another. */
export const repoRoot = resolve(import.meta.dirname, "../..");

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Simulator flags for no simulated time: no prefill, every token at once. */
export const NO_DELAY_SIM = ["--prefillMs", "0", "--prefillMsPerToken", "0", "--itlMs", "0"];

/** `inferload sim` pinned to `cpus` on a random port in 20000-32000; resolves with the URL it prints. */
export async function startPinnedSim(
  cpus: string,
  args: string[],
): Promise<{ url: string; stop: () => void }> {
  const port = 20000 + Math.floor(Math.random() * 12000);
  const child = spawn(
    "taskset",
    ["-c", cpus, bun, join(repoRoot, "cmd/main.ts"), "sim", "--port", String(port), ...args],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/\S+/.exec(out);
      if (m) resolveUrl(m[0]);
    });
    child.on("exit", (code) => reject(new Error(`sim exited with ${code}`)));
    setTimeout(() => reject(new Error("sim did not print its URL in 20 s")), 20_000);
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

export interface ClientRun {
  exitCode: number;
  cpuS: number;
  maxRssMb: number;
  rssSamplesMb: number[];
  /** Its stage_0_lifecycle_metrics.json. */
  stage: Json;
  wallS: number;
}

export interface ClientRunOptions {
  config: Json;
  /** Names the config file and the report folder in `work` (removed once read). */
  tag: string;
  work: string;
  cpus: string;
  /** The checkout whose `cmd/main.ts` runs; this one by default. */
  clientRoot?: string;
}

/** One `inferload run`; throws with its stderr's tail unless it exits 0. */
export async function runPinnedClient(options: ClientRunOptions): Promise<ClientRun> {
  const { config, tag, work, cpus, clientRoot = repoRoot } = options;
  const dir = join(work, tag);
  const path = join(work, `${tag}.json`);
  writeFileSync(path, JSON.stringify(config));
  const child = spawn(
    "/usr/bin/time",
    [
      "-f",
      "TIME %e %U %S %M",
      "taskset",
      "-c",
      cpus,
      bun,
      join(clientRoot, "cmd/main.ts"),
      "run",
      "-c",
      path,
      "--quiet",
      "--output-dir",
      dir,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const rssSamplesMb: number[] = [];
  const sampler = setInterval(() => {
    try {
      const kid = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(" ")[0];
      const status = readFileSync(`/proc/${kid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      if (kb > 0) rssSamplesMb.push(kb / 1024);
    } catch {
      // not started yet, or finished
    }
  }, 1000);
  const exitCode = await new Promise<number>((r) => child.on("exit", (code) => r(code ?? 1)));
  clearInterval(sampler);
  const t = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  if (t === null || exitCode !== 0)
    throw new Error(`client run ${tag} failed (${exitCode}): ${stderr.slice(-2000)}`);
  const stage = JSON.parse(readFileSync(join(dir, "stage_0_lifecycle_metrics.json"), "utf8")) as Json;
  rmSync(dir, { recursive: true, force: true });
  return {
    exitCode,
    wallS: Number(t[1]),
    cpuS: Number(t[2]) + Number(t[3]),
    maxRssMb: Number(t[4]) / 1024,
    rssSamplesMb,
    stage,
  };
}

/** What the benchmarks print of a stage report: counts, rates, schedule delay (ms), failures. */
export function loadSummary(stage: Json) {
  const ls = stage.load_summary as {
    count: number;
    achieved_rate: number;
    requested_rate: number;
    schedule_delay: Json;
  };
  const failures = (stage.failures as { count: number }).count;
  return {
    count: ls.count,
    requested: ls.requested_rate,
    achieved: ls.achieved_rate,
    delayMedianMs: (ls.schedule_delay.median as number) * 1000,
    delayP99Ms: (ls.schedule_delay.p99 as number) * 1000,
    failures,
  };
}
