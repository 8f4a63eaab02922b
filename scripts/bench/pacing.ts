// Pacing cost: what waiting for send times costs the client, next to the schedule accuracy it buys,
// at constant and Poisson rates, once with each pacing of the same build in the same invocation:
// "waker" (the default) and "timer-spin" (the wait before it, INFERLOAD_PACING=timer-spin).
//
// - cli: the real CLI (`inferload run`, one load Worker, mock data, ~20-token streams) against the
//   built-in simulator in its own process (load.ts's pinning: simulator on SERVER_CPUS, client on
//   CLIENT_CPUS). Client CPU per request is (CPU of a DURATION-s run − CPU of a SHORT-s run) / (their
//   request difference), so start-up cancels out; % of a core is the same CPU difference over the
//   duration difference. Delay and achieved rate come from the long run's stage report.
// - alone: the same waits with no requests (pacing-alone.ts, pinned to CLIENT_CPUS, ALONE_DURATION
//   s), so the pacing's own cost shows apart from sending and reading, which a busy machine inflates.
// - The pacing "floor" (in both): no pacing of ours, one thread blocking in Atomics.wait until each
//   send time (pacing-alone.ts floor, DURATION s in cli): what this core, its timer and the
//   hypervisor add to a wake at that minute. The machine's lateness swings from minute to minute
//   (p99 0.16 ms in one 15 s window, 1.05 ms in the next), so a pacing's p99 means something only
//   next to the floor measured between its runs.
//
// Configurations run interleaved, repetition by repetition, so the shared machine's load swings hit
// both pacings alike; the tables give medians of REPEAT runs and each pacing's ratio to timer-spin.
//
//   bun scripts/bench/pacing.ts [cli|alone|all]
//   env: DURATION (s, 30), SHORT (s, 5), ALONE_DURATION (s, 10), REPEAT (3), RATES (100,1000,5000),
//        ARRIVALS (constant,poisson), PACINGS (waker,timer-spin,floor), SERVER_CPUS (0), CLIENT_CPUS (1),
//        BASE_ROOT (another checkout, e.g. a worktree of main: adds the pacing "base-waker", its waker,
//        to compare a change against in the same invocation)
// The client runs also give each thread's CPU per request (load Worker, waker, builder, main thread,
// JIT, allocator), sampled from /proc.
// Needs taskset and /usr/bin/time.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import {
  bun,
  clientConfig,
  createBench,
  emit,
  FAST_SIM,
  fmt,
  loadAverage,
  loadSummary,
  median,
} from "./_client-runs.ts";

const env = process.env;
const DURATION = Number(env.DURATION ?? 30);
const SHORT = Number(env.SHORT ?? 5);
const ALONE_DURATION = Number(env.ALONE_DURATION ?? 10);
const REPEAT = Number(env.REPEAT ?? 3);
const RATES = (env.RATES ?? "100,1000,5000").split(",").map(Number);
const ARRIVALS = (env.ARRIVALS ?? "constant,poisson").split(",");
const BASE_ROOT = env.BASE_ROOT;
const PACINGS = (env.PACINGS ?? `waker,timer-spin,floor${BASE_ROOT ? ",base-waker" : ""}`).split(",");

/** How to run a pacing: the tree to run and the INFERLOAD_PACING to give it. */
function pacingRun(pacing: string): { root?: string; mode: string } {
  if (pacing !== "base-waker") return { mode: pacing };
  if (!BASE_ROOT) throw new Error("the pacing base-waker needs BASE_ROOT");
  return { root: BASE_ROOT, mode: "waker" };
}
const BASELINE = "timer-spin";

interface PacingRun {
  usPerRequest: number;
  /** Client CPU µs per request by thread (cli only): where it goes. */
  threads: Record<string, number>;
  corePercent: number;
  delayMedianMs: number;
  delayP99Ms: number;
  achieved: number;
  failures: number;
}

type Measure = (arrival: string, rate: number, pacing: string, run: number) => Promise<PacingRun>;

const bench = createBench(env);

/** Client threads by name (docs/load-engine.md): the load Worker, its waker and builder, the main thread. */
const THREAD_GROUPS: Record<string, string> = {
  load: "load",
  wake: "wake",
  build: "build",
  bun: "main",
  "bun.exe": "main",
  // Before the waker was named, it was the client's one unnamed Worker.
  Worker: "wake",
  JITWorker: "JIT",
  "mi-scavenger": "allocator",
};
const THREAD_COLUMNS = ["load", "wake", "build", "main", "JIT", "allocator", "other"];

function cliMeasure(url: string): Measure {
  const floor = aloneMeasure(DURATION, "pacing-cli");
  return async (arrival, rate, pacing, run) => {
    if (pacing === "floor") return floor(arrival, rate, pacing, run);
    const config = (duration: number) =>
      clientConfig(url, { type: arrival, stages: [{ rate, duration }] }, true);
    const tag = `pacing-${arrival}-${rate}-${pacing}-${run}`;
    const { root, mode } = pacingRun(pacing);
    const options = { env: { INFERLOAD_PACING: mode }, ...(root === undefined ? {} : { root }) };
    const short = await bench.runClient(config(SHORT), `${tag}-s`, options);
    const long = await bench.runClient(config(DURATION), `${tag}-l`, options);
    const s = loadSummary(short.stage);
    const l = loadSummary(long.stage);
    const cpuS = long.cpuS - short.cpuS;
    const threads: Record<string, number> = {};
    for (const [name, t] of Object.entries(long.threadCpuS)) {
      const group = THREAD_GROUPS[name] ?? "other";
      const us = ((t - (short.threadCpuS[name] ?? 0)) / (l.count - s.count)) * 1e6;
      threads[group] = (threads[group] ?? 0) + us;
    }
    const result: PacingRun = {
      usPerRequest: (cpuS / (l.count - s.count)) * 1e6,
      threads,
      corePercent: (100 * cpuS) / (DURATION - SHORT),
      delayMedianMs: l.delayMedianMs,
      delayP99Ms: l.delayP99Ms,
      achieved: l.achieved,
      failures: l.failures + s.failures,
    };
    emit({
      scenario: "pacing-cli",
      arrival,
      rate,
      pacing,
      run,
      ...result,
      cpuShortS: short.cpuS,
      cpuLongS: long.cpuS,
    });
    return result;
  };
}

const aloneMeasure =
  (seconds: number, scenario: string): Measure =>
  async (arrival, rate, pacing, run) => {
    const { root, mode } = pacingRun(pacing);
    const script =
      root === undefined
        ? join(import.meta.dirname, "pacing-alone.ts")
        : join(root, "scripts/bench/pacing-alone.ts");
    const args = ["-c", bench.clientCpus, bun, script, arrival, String(rate), String(seconds), mode];
    const out = spawnSync("taskset", args, { encoding: "utf8" });
    const line = out.stdout.trim().split("\n").at(-1) ?? "";
    if (out.status !== 0 || line === "") throw new Error(`pacing-alone failed: ${out.stderr.slice(-2000)}`);
    const r = JSON.parse(line) as {
      count: number;
      cpuS: number;
      wallS: number;
      delayMedianMs: number;
      delayP99Ms: number;
      overOneMs: number;
    };
    const result: PacingRun = {
      usPerRequest: (r.cpuS / r.count) * 1e6,
      threads: {},
      corePercent: (100 * r.cpuS) / r.wallS,
      delayMedianMs: r.delayMedianMs,
      delayP99Ms: r.delayP99Ms,
      achieved: r.count / r.wallS,
      failures: 0,
    };
    emit({ scenario, arrival, rate, pacing, run, ...result, overOneMs: r.overOneMs });
    return result;
  };

/** Every configuration, REPEAT times interleaved; the Markdown table of medians. */
async function table(measure: Measure, what: string): Promise<string> {
  const runs = new Map<string, PacingRun[]>();
  const key = (arrival: string, rate: number, pacing: string) => `${arrival} ${rate} ${pacing}`;
  for (let run = 0; run < REPEAT; run++) {
    for (const arrival of ARRIVALS) {
      for (const rate of RATES) {
        for (const pacing of PACINGS) {
          const k = key(arrival, rate, pacing);
          runs.set(k, [...(runs.get(k) ?? []), await measure(arrival, rate, pacing, run)]);
        }
      }
    }
  }
  const rows = [
    `| arrival | rate (req/s) | pacing | ${what} CPU per request | % of a core | vs timer-spin | schedule delay p50 | p99 | achieved |`,
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const arrival of ARRIVALS) {
    for (const rate of RATES) {
      const base = median((runs.get(key(arrival, rate, BASELINE)) ?? []).map((r) => r.usPerRequest));
      for (const pacing of PACINGS) {
        const rs = runs.get(key(arrival, rate, pacing)) ?? [];
        const at = (f: (r: PacingRun) => number) => median(rs.map(f));
        const us = at((r) => r.usPerRequest);
        const ratio = pacing === BASELINE || !Number.isFinite(base) ? "1.00" : fmt(us / base, 2);
        const failures = rs.reduce((sum, r) => sum + r.failures, 0);
        rows.push(
          `| ${arrival} | ${fmt(rate)} | ${pacing} | ${fmt(us, 0)} µs | ${fmt(
            at((r) => r.corePercent),
            1,
          )}% | ${ratio} | ${fmt(
            at((r) => r.delayMedianMs),
            3,
          )} ms | ${fmt(
            at((r) => r.delayP99Ms),
            2,
          )} ms | ${fmt((100 * at((r) => r.achieved)) / rate, 2)}%${failures > 0 ? ` (${failures} failed)` : ""} |`,
        );
      }
    }
  }
  if (what !== "client") return rows.join("\n");
  rows.push(
    "",
    `Client CPU µs per request by thread (medians): ${THREAD_COLUMNS.join(", ")}`,
    "",
    `| arrival | rate (req/s) | pacing | ${THREAD_COLUMNS.join(" | ")} |`,
    `|---|---|---|${THREAD_COLUMNS.map(() => "---").join("|")}|`,
  );
  for (const arrival of ARRIVALS) {
    for (const rate of RATES) {
      for (const pacing of PACINGS) {
        const rs = runs.get(key(arrival, rate, pacing)) ?? [];
        const cells = THREAD_COLUMNS.map((c) => fmt(median(rs.map((r) => r.threads[c] ?? 0)), 0));
        rows.push(`| ${arrival} | ${fmt(rate)} | ${pacing} | ${cells.join(" | ")} |`);
      }
    }
  }
  return rows.join("\n");
}

const which = process.argv[2] ?? "all";
const before = loadAverage();
process.stderr.write(`load average before: ${before}\n`);
const tables: string[] = [];
try {
  if (which === "alone" || which === "all") {
    const t = await table(aloneMeasure(ALONE_DURATION, "pacing-alone"), "wait alone:");
    tables.push(`Wait alone, ${ALONE_DURATION} s schedules, no requests:\n\n${t}`);
  }
  if (which === "cli" || which === "all") {
    const sim = await bench.startSim(FAST_SIM);
    try {
      const t = await table(cliMeasure(sim.url), "client");
      tables.push(`Whole client (\`inferload run\`), ${DURATION} s runs minus ${SHORT} s runs:\n\n${t}`);
    } finally {
      sim.stop();
    }
  }
} finally {
  bench.cleanup();
}
process.stdout.write(
  `\n${tables.join("\n\n")}\n\nMedians of ${REPEAT} runs. load average before: ${before}; after: ${loadAverage()}\n`,
);
