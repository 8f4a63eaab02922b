// Start-up benchmark: launch → first request byte at a server. A small OpenAI-shaped server (this
// process, 127.0.0.1) notes when the first completion request arrives; `inferload run` is spawned
// against it N times per variant, and the median launch → first byte is printed. With BASELINE set,
// the same variants run from another checkout too, interleaved run by run with this one (this box is
// shared and noisy, so only a comparison within one invocation means much), with the ratio.
//
//   bun scripts/bench/startup.ts                         # this checkout, from source; RUNS=15
//   BASELINE=../main bun scripts/bench/startup.ts        # and against another checkout
//   BIN=dist/inferload BASELINE=/tmp/old-inferload bun scripts/bench/startup.ts   # compiled binaries
//   TRACE=1 bun scripts/bench/startup.ts                 # and where the time goes (see below)
//   env: BIN, BASELINE (a checkout folder, run from source, or a compiled binary; several, comma-
//        separated, run in turn with the others and each gets a ratio column), RUNS (15),
//        VARIANTS (comma-separated ids below: mock, mock-yaml, mock-listed, random; default all; also
//        conversations-8 and conversations-20, a small conversation_replay workload on that many
//        Workers, and mock-long, a run long enough to start itself again, named only), BENCH_JSON=1 (every time),
//        TRACE=1 (the first build's launches run with INFERLOAD_TRACE_START=1: each thread notes its
//        start-up steps on stderr, and a table per variant gives each step's median ms from launch)
//        CHILD_RT=N (run each launch under `chrt -f N`, see below), QUIET=0 (launch without --quiet:
//        the info lines go to stderr, whose stream costs Bun ~10 ms to create), THREADS=1 (Linux: each
//        thread's CPU time when the first request arrives, from /proc/PID/task/*/schedstat, median
//        per thread name and build: the start is CPU-bound on 2 cores, so this says what it costs)
// On a shared, busy box, `chrt -f 20 env CHILD_RT=10 bun scripts/bench/startup.ts` (root) runs it all
// at a real-time priority, which comes close to an idle machine's figures (the runs are short), with
// this process's server above the launches: under SCHED_FIFO a thread keeps its core until it
// blocks, so a server at the launches' own priority would note a request only when one of their
// threads yields, and a start that uses both cores would look later than it is.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const RUNS = Number(process.env.RUNS ?? 15);
const bin = process.env.BIN === undefined ? null : resolve(process.env.BIN);
const baselines = (process.env.BASELINE ?? "")
  .split(",")
  .filter((path) => path !== "")
  .map((path) => resolve(path));
const tracing = process.env.TRACE === "1";
/** The marks lib/runtime/start-trace.ts writes: `inferload-trace <epoch ms> <thread> <step>`. */
const TRACE_LINE = /^inferload-trace (\d+(?:\.\d+)?) (\S+) (.+)$/gm;
const work = mkdtempSync(join(tmpdir(), "inferload-startup-"));

let firstRequestAt: number | null = null;
/** The launched process, whose threads THREADS=1 samples when the first request arrives. */
let launchedPid: number | undefined;
/** Each thread's CPU ms at the first request (thread name → ms; same-named threads summed). */
let threadCpu: Map<string, number> | null = null;
const sampleThreads = process.env.THREADS === "1";

/** CPU ms of each thread of `pid` so far, by thread name (Linux schedstat: ns on the CPU). */
function cpuByThread(pid: number): Map<string, number> {
  const cpu = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      // The main thread carries the executable's name, which differs between builds.
      const name =
        tid === String(pid) ? "main" : readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      cpu.set(name, (cpu.get(name) ?? 0) + ns / 1e6);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return cpu;
}
let launches = 0;
/** What to do when the first request arrives (interrupt a long run), for the launch under way. */
let interruptAtFirstRequest: (() => void) | null = null;
let modelsProbes = 0;

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === "/v1/models") {
    modelsProbes++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: [{ id: "bench-model", object: "model" }] }));
    return;
  }
  // The request line and headers have arrived: that is the first byte's arrival, give or take a read.
  if (firstRequestAt === null && sampleThreads && launchedPid !== undefined)
    threadCpu = cpuByThread(launchedPid);
  if (firstRequestAt === null) {
    firstRequestAt = performance.now();
    interruptAtFirstRequest?.();
  }
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: "cmpl-1",
        object: "text_completion",
        model: "bench-model",
        choices: [{ index: 0, text: " ok", finish_reason: "stop" }],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      }),
    );
  });
}

const server = createServer(handle);
server.keepAliveTimeout = 1000;
const port = await new Promise<number>((done) => {
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    done(typeof address === "object" && address !== null ? address.port : 0);
  });
});
const baseUrl = `http://127.0.0.1:${port}`;

interface Variant {
  /** What VARIANTS names. */
  id: string;
  name: string;
  data: Record<string, unknown>;
  modelName: boolean;
  /** The config file's extension: JSON text is also YAML, so `yaml` takes the YAML parser's path. */
  format?: "json" | "yaml";
  /** Workers (a session workload: concurrent, one turn per Worker); run only when VARIANTS names it. */
  sessionWorkers?: number;
  /**
   * A stage long enough that the run starts itself again with its allocator settings
   * (lib/run/allocator-relaunch.ts): one request a second for that many seconds, the launch
   * interrupted once its first request has arrived. Run only when VARIANTS names it.
   */
  longS?: number;
}

/** Small conversations: the start is about the Workers, not the texts. */
const conversations = {
  type: "conversation_replay",
  conversation_replay: {
    num_conversations: 40,
    shared_system_prompt_len: 120,
    dynamic_system_prompt_len: { type: "normal", min: 20, max: 60, mean: 40, std_dev: 10 },
    turns_per_conversation: { type: "normal", min: 2, max: 4, mean: 3, std_dev: 1 },
    input_tokens_per_turn: { type: "lognormal", min: 10, max: 60, mean: 30, std_dev: 10 },
    output_tokens_per_turn: { type: "lognormal", min: 5, max: 20, mean: 10, std_dev: 4 },
  },
};

const variants: Variant[] = [
  { id: "mock", name: "mock, model_name set", data: { type: "mock" }, modelName: true },
  {
    id: "mock-yaml",
    name: "mock, model_name set, config.yaml",
    data: { type: "mock" },
    modelName: true,
    format: "yaml",
  },
  { id: "mock-listed", name: "mock, model from /v1/models", data: { type: "mock" }, modelName: false },
  {
    id: "random",
    name: "random (default tokenizer), model_name set",
    data: {
      type: "random",
      input_distribution: { min: 10, max: 10, mean: 10, std_dev: 0 },
      output_distribution: { min: 1, max: 1, mean: 1, std_dev: 0 },
    },
    modelName: true,
  },
  ...[8, 20].map((n) => ({
    id: `conversations-${n}`,
    name: `conversation_replay, ${n} Workers`,
    data: conversations,
    modelName: true,
    sessionWorkers: n,
  })),
];
variants.push({
  id: "mock-long",
  name: "mock, model_name set, a long run (relaunched)",
  data: { type: "mock" },
  modelName: true,
  longS: 5000,
});
const chosen = process.env.VARIANTS?.split(",").map((s) => s.trim());

function configFor(variant: Variant): string {
  const path = join(work, `${variant.id}.${variant.format ?? "json"}`);
  const config = {
    api: { type: "completion", streaming: false },
    data: variant.data,
    // One request, sent at once; one Worker as on a 1-CPU container.
    load:
      variant.sessionWorkers === undefined
        ? { type: "constant", stages: [{ rate: 1, duration: variant.longS ?? 1 }], num_workers: 1 }
        : {
            type: "concurrent",
            stages: [{ num_requests: variant.sessionWorkers, concurrency_level: variant.sessionWorkers }],
            num_workers: variant.sessionWorkers,
          },
    server: { base_url: baseUrl, ...(variant.modelName ? { model_name: "bench-model" } : {}) },
    report: { request_lifecycle: { summary: false, per_stage: false, per_adapter: false } },
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

interface Tree {
  name: string;
  /** The command and its arguments before `run -c CONFIG`. */
  command: [string, string[]];
}

/** A checkout folder runs from source with this Bun; a file is a compiled binary. */
function treeOf(path: string): Tree {
  return statSync(path).isDirectory()
    ? { name: path, command: [process.execPath, [join(path, "cmd/main.ts")]] }
    : { name: path, command: [path, []] };
}

const childRt = process.env.CHILD_RT;

/** The tree's command, under `chrt -f CHILD_RT` when set. */
function commandOf(tree: Tree): [string, string[]] {
  const [command, prefix] = tree.command;
  return childRt === undefined ? [command, prefix] : ["chrt", ["-f", childRt, command, ...prefix]];
}

const trees: Tree[] = [treeOf(bin ?? root), ...baselines.map(treeOf)];

interface Launch {
  /** ms from spawn() to the first completion request's arrival. */
  ms: number;
  /** With TRACE=1: ms from spawn() to each start-up step ("thread step"), first occurrence. */
  steps: Map<string, number>;
  /** With THREADS=1: each thread's CPU ms when the first request arrived. */
  cpu: Map<string, number> | null;
}

/** One launch of `tree` with `config`. */
function launch(tree: Tree, config: string, trace = false, long = false): Promise<Launch> {
  firstRequestAt = null;
  threadCpu = null;
  const [command, prefix] = commandOf(tree);
  const started = performance.now();
  // A fresh report folder each time (a run refuses a folder that holds reports).
  const out = join(work, `reports-${++launches}`);
  const quiet = process.env.QUIET === "0" ? [] : ["--quiet"];
  const child = spawn(command, [...prefix, "run", "-c", config, ...quiet, "--output-dir", out], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...(trace ? { INFERLOAD_TRACE_START: "1" } : {}) },
  });
  launchedPid = child.pid;
  // A long run is interrupted once its first request is in: exit 130, its reports written.
  interruptAtFirstRequest = long ? () => child.kill("SIGINT") : null;
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((done, fail) => {
    child.on("exit", (code) => {
      if (code !== (long ? 130 : 0) || firstRequestAt === null) {
        fail(new Error(`run exited ${code}: ${stderr}`));
        return;
      }
      // The marks are on the epoch-based clock every process shares (timeOrigin + now).
      const spawnedAt = performance.timeOrigin + started;
      const steps = new Map<string, number>();
      for (const [, at, thread, step] of stderr.matchAll(TRACE_LINE)) {
        const key = `${thread} ${step}`;
        if (!steps.has(key)) steps.set(key, Number(at) - spawnedAt);
      }
      if (trace) steps.set("server first request arrived", firstRequestAt - started);
      done({ ms: firstRequestAt - started, steps, cpu: threadCpu });
    });
  });
}

/** Per thread name, each build's median CPU ms at the first request (0 where a launch lacked it). */
function cpuTable(cpus: readonly Map<string, number>[][]): string {
  const names = [...new Set(cpus.flat().flatMap((m) => [...m.keys()]))].sort();
  const column = (runs: readonly Map<string, number>[], name: string) =>
    runs.length === 0 ? "-" : median(runs.map((m) => m.get(name) ?? 0)).toFixed(1);
  return [
    `| thread | ${trees.map((t) => t.name).join(" | ")} |`,
    `|---|${trees.map(() => "---|").join("")}`,
    ...names.map((name) => `| ${name} | ${cpus.map((runs) => column(runs, name)).join(" | ")} |`),
    `| all | ${cpus.map((runs) => (runs.length === 0 ? "-" : median(runs.map((m) => [...m.values()].reduce((a, b) => a + b, 0))).toFixed(1))).join(" | ")} |`,
  ].join("\n");
}

/** Each step's median over the launches, in order of that median. */
function timeline(launches: readonly Launch[]): string {
  const names = new Set(launches.flatMap((l) => [...l.steps.keys()]));
  const rows = [...names]
    .map((name) => {
      const at = launches.flatMap((l) => (l.steps.has(name) ? [l.steps.get(name)!] : []));
      return { name, median: median(at), seen: at.length };
    })
    .sort((a, b) => a.median - b.median);
  return [
    "| step (thread, step) | median ms from launch |",
    "|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.name}${r.seen < launches.length ? ` (${r.seen} of ${launches.length})` : ""} | ${r.median.toFixed(1)} |`,
    ),
  ].join("\n");
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The 90th percentile (nearest rank): the start-up target should hold for most launches, not half. */
function p90(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)]!;
}

console.error(
  `# start-up: ${trees.map((t) => t.name).join(" vs ")}, ${RUNS} runs per variant${childRt === undefined ? "" : `, launches under chrt -f ${childRt}`}, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
const header =
  trees.length === 1
    ? "| variant | median ms | p90 ms | min ms | max ms |"
    : `| variant | ${trees.map((t) => `${t.name} median (p90) ms`).join(" | ")} | ${trees
        .slice(1)
        .map((_, i) => `ratio${trees.length > 2 ? ` to ${i + 1}` : ""}`)
        .join(" | ")} |`;
const rows: string[] = [header, `|${"---|".repeat(header.split("|").length - 2)}`];
const timelines: string[] = [];
try {
  const wanted = (v: Variant) =>
    chosen === undefined ? v.sessionWorkers === undefined && v.longS === undefined : chosen.includes(v.id);
  for (const variant of variants.filter(wanted)) {
    const config = configFor(variant);
    const long = variant.longS !== undefined;
    for (const tree of trees) await launch(tree, config, false, long); // warm the file cache; not counted
    const times: number[][] = trees.map(() => []);
    /** GET /v1/models requests per tree: a build that asks before its first request shows here. */
    const probes = trees.map(() => 0);
    const traced: Launch[] = [];
    const cpus: Map<string, number>[][] = trees.map(() => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [t, tree] of trees.entries()) {
        modelsProbes = 0;
        const run = await launch(tree, config, tracing && t === 0, long);
        times[t]!.push(run.ms);
        if (run.cpu !== null) cpus[t]!.push(run.cpu);
        probes[t]! += modelsProbes;
        if (tracing && t === 0) traced.push(run);
      }
    }
    if (tracing) timelines.push(`${variant.name} (${trees[0]!.name}):\n${timeline(traced)}`);
    if (sampleThreads)
      timelines.push(`${variant.name}, CPU ms per thread at the first request:\n${cpuTable(cpus)}`);
    const medians = times.map(median);
    const tails = times.map(p90);
    const asked = probes.some((n) => n > 0) ? ` (/v1/models asked ${probes.join(" / ")} times)` : "";
    rows.push(
      trees.length === 1
        ? `| ${variant.name}${asked} | ${medians[0]!.toFixed(1)} | ${tails[0]!.toFixed(1)} | ${Math.min(...times[0]!).toFixed(1)} | ${Math.max(...times[0]!).toFixed(1)} |`
        : `| ${variant.name}${asked} | ${medians.map((m, t) => `${m.toFixed(1)} (${tails[t]!.toFixed(1)})`).join(" | ")} | ${medians
            .slice(1)
            .map((m) => (medians[0]! / m).toFixed(2))
            .join(" | ")} |`,
    );
    if (process.env.BENCH_JSON)
      console.log(JSON.stringify({ variant: variant.name, trees: trees.map((t) => t.name), times }));
  }
} finally {
  server.close();
  server.closeAllConnections();
  rmSync(work, { recursive: true, force: true });
}
console.log(rows.join("\n"));
console.error(
  `# load average at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
for (const t of timelines) console.log(`\n${t}`);
