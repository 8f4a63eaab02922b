// What the end-to-end benchmarks (load.ts, pacing.ts) share: the built-in simulator as its own
// process pinned to SERVER_CPUS, `inferload run` as another pinned to CLIENT_CPUS with its CPU time
// and peak RSS from /usr/bin/time, the client config they use, and the stage report's load summary.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");
export const bun = process.execPath;

export type Json = Record<string, unknown>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(x: number, digits = 0): string {
  return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** One JSON line per run on stdout, for whoever wants more than the table. */
export function emit(row: Json): void {
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** Simulator flags for no simulated time: no prefill, every token at once. */
export const NO_DELAY_SIM = ["--prefillMs", "0", "--prefillMsPerToken", "0", "--itlMs", "0"];

/** A fast simulator: no prefill, tokens together, ~20 output tokens per request. */
export const FAST_SIM = [...NO_DELAY_SIM, "--maxNumSeqs", "100000", "--outputLenMean", "20"];

// Data "mock" keeps data generation out of the client's cost (the engine is what is measured here;
// data.type random costs 200-350 µs per request by itself, see docs/PERFORMANCE.md). With ignore_eos
// off the simulator draws each output length around --outputLenMean 20 (FAST_SIM).
export function clientConfig(url: string, load: Json, streaming: boolean, data?: Json): Json {
  return {
    api: { type: "completion", streaming },
    data: data ?? { type: process.env.BENCH_DATA ?? "mock" },
    load: { num_workers: 1, interval: 0, base_seed: 1, worker_max_concurrency: 1000, ...load },
    server: { base_url: url, model_name: "sim-model", ignore_eos: false },
    report: { request_lifecycle: { per_request: false, per_stage: true, summary: false } },
  };
}

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

export interface ClientRun {
  exitCode: number;
  /** The client process's CPU time, user + sys, all threads. */
  cpuS: number;
  maxRssMb: number;
  rssSamplesMb: number[];
  /**
   * CPU seconds by thread name (load, build, waker, the main thread "bun", JIT and GC helpers…), as
   * last sampled (every 100 ms, so a thread's last 100 ms may be missing): where the CPU goes.
   */
  threadCpuS: Record<string, number>;
  stage: Json;
  wallS: number;
}

export interface ClientOptions {
  /** A checkout of other code to run the client from (default: this tree). */
  root?: string;
  /** Extra environment for the client process. */
  env?: Record<string, string>;
}

/** Each thread's CPU time so far (/proc/PID/task/TID/schedstat, ns), by thread id. */
function sampleThreads(pid: string, into: Map<string, { name: string; cpuS: number }>): void {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      into.set(tid, { name, cpuS: ns / 1e9 });
    } catch {
      // the thread ended meanwhile
    }
  }
}

/** CPU seconds summed by thread name; Bun names a Worker's thread after its `name` option. */
function byThreadName(threads: Map<string, { name: string; cpuS: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { name, cpuS } of threads.values()) out[name] = (out[name] ?? 0) + cpuS;
  return out;
}

/** Pinning from SERVER_CPUS (default 0) and CLIENT_CPUS (default 1), and a scratch folder. */
export function createBench(env: Record<string, string | undefined>) {
  const serverCpus = env.SERVER_CPUS ?? "0";
  const clientCpus = env.CLIENT_CPUS ?? "1";
  const work = mkdtempSync(join(tmpdir(), "inferload-bench-"));

  async function startSim(args: string[]): Promise<{ url: string; stop: () => void }> {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const child = spawn(
      "taskset",
      ["-c", serverCpus, bun, join(root, "cmd/main.ts"), "sim", "--port", String(port), ...args],
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

  /** One `inferload run` pinned to the client cpus; CPU and peak RSS from /usr/bin/time, RSS samples from /proc. */
  async function runClient(config: Json, tag: string, options: ClientOptions = {}): Promise<ClientRun> {
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
        clientCpus,
        bun,
        join(options.root ?? root, "cmd/main.ts"),
        "run",
        "-c",
        path,
        "--quiet",
        "--output-dir",
        dir,
      ],
      { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...options.env } },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const rssSamplesMb: number[] = [];
    const threads = new Map<string, { name: string; cpuS: number }>();
    let kid = "";
    let tick = 0;
    const sampler = setInterval(() => {
      try {
        if (kid === "")
          kid =
            readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(" ")[0] ?? "";
        if (kid === "") return;
        sampleThreads(kid, threads);
        if (tick++ % 10 !== 0) return;
        const status = readFileSync(`/proc/${kid}/status`, "utf8");
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
        if (kb > 0) rssSamplesMb.push(kb / 1024);
      } catch {
        // not started yet, or finished
      }
    }, 100);
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
      threadCpuS: byThreadName(threads),
      stage,
    };
  }

  return {
    work,
    clientCpus,
    startSim,
    runClient,
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}
