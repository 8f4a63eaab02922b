// Load-engine benchmarks, re-runnable: the built-in simulator pinned to cpu0, the client
// (`inferload run`) pinned to cpu1, and wrk on cpu1 against the same endpoint as this machine's
// physical ceiling. Prints one JSON line per run and a Markdown table of medians on stdout.
//
//   bun scripts/bench/load.ts [accuracy|ceiling|data|cpu|transport|scale|memory|all]
//   env: DURATION (s, default 30), REPEAT (default 3), RATES (ceiling ladder, comma-separated),
//        DATA_RATES (the data scenario's ladder; empty: CPU per request only), DATA_STREAMING (0; 1 = ~20-token streams),
//        DATA_KINDS (the data scenario's configs, comma-separated: mock,random-512,random-2048,synthetic-512,
//        shared_prefix-512+64, all by default), DATA_TOKENIZER (a tokenizer.json for the data scenario's client),
//        BASE (a checkout of other code: the data and cpu scenarios also run its client, same simulator, interleaved),
//        CPU_REQUESTS (100000; the data scenario's 50000, 0 skips its CPU runs), CPU_SHORT (cpu's short run, CPU_REQUESTS / 10), TRANSPORT_REQUESTS (50000), READER (0; 1 = transport + response reader),
//        SCALE_CONCURRENCY (10000), MEMORY_REQUESTS (1000000), MEMORY_RATE (5000),
//        SERVER_CPUS (0), CLIENT_CPUS (1)
// Needs taskset and wrk (apt-get install -y wrk) and /usr/bin/time.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  bun,
  type ClientRun,
  clientConfig,
  createBench,
  emit,
  FAST_SIM,
  fmt,
  type Json,
  loadAverage,
  loadSummary,
  median,
  root,
} from "./_client-runs.ts";

const env = process.env;
const DURATION = Number(env.DURATION ?? 30);
const REPEAT = Number(env.REPEAT ?? 3);
const { work, clientCpus: CLIENT_CPUS, startSim, runClient: runPinned, cleanup } = createBench(env);

/** One pinned `inferload run`, from this tree or another checkout (`clientRoot`). */
function runClient(config: Json, tag: string, clientRoot = root) {
  return runPinned(config, tag, { root: clientRoot });
}

function wrk(url: string, streaming: boolean, connections: number, seconds: number): number {
  const lua = join(work, "post.lua");
  const body = JSON.stringify({ model: "sim-model", prompt: "1 2 3 1", max_tokens: 30, stream: streaming });
  writeFileSync(
    lua,
    `wrk.method = "POST"\nwrk.body = '${body}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  const out = spawnSync(
    "taskset",
    [
      "-c",
      CLIENT_CPUS,
      "wrk",
      "-t1",
      `-c${connections}`,
      `-d${seconds}s`,
      "-s",
      lua,
      `${url}/v1/completions`,
    ],
    {
      encoding: "utf8",
    },
  );
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out.stdout)?.[1] ?? Number.NaN);
}

const rows: string[] = [];

async function accuracy(): Promise<void> {
  const sim = await startSim(FAST_SIM);
  try {
    for (const type of ["constant", "poisson"]) {
      const runs = [];
      for (let i = 0; i < REPEAT; i++) {
        const r = await runClient(
          clientConfig(sim.url, { type, stages: [{ rate: 1000, duration: DURATION }] }, true),
          `acc-${type}-${i}`,
        );
        const s = loadSummary(r.stage);
        emit({ scenario: "accuracy", type, run: i, ...s });
        runs.push(s);
      }
      rows.push(
        `| accuracy ${type} 1,000 req/s × ${DURATION} s (20-token streams) | achieved ${fmt(median(runs.map((r) => r.achieved)))} req/s (${fmt((100 * median(runs.map((r) => r.achieved))) / 1000, 2)}%), delay median ${fmt(median(runs.map((r) => r.delayMedianMs)), 3)} ms, p99 ${fmt(median(runs.map((r) => r.delayP99Ms)), 3)} ms, failures ${median(runs.map((r) => r.failures))} |`,
      );
    }
  } finally {
    sim.stop();
  }
}

async function ceiling(): Promise<void> {
  const rates = (env.RATES ?? "1000,2000,3000,4000,5000,6000,8000,10000").split(",").map(Number);
  const sim = await startSim(FAST_SIM);
  try {
    for (const streaming of [false, true]) {
      const label = streaming ? "20-token streaming" : "non-streaming";
      const wrkRates = Array.from({ length: REPEAT }, () =>
        wrk(sim.url, streaming, 64, Math.min(DURATION, 10)),
      );
      const wrkMedian = median(wrkRates);
      emit({ scenario: "ceiling", tool: "wrk", streaming, rates: wrkRates });
      let held = 0;
      for (const rate of rates) {
        const runs = [];
        for (let i = 0; i < REPEAT; i++) {
          const r = await runClient(
            clientConfig(sim.url, { type: "constant", stages: [{ rate, duration: DURATION }] }, streaming),
            `ceil-${streaming}-${rate}-${i}`,
          );
          runs.push(loadSummary(r.stage));
          emit({ scenario: "ceiling", streaming, rate, run: i, ...runs[i] });
        }
        const ok =
          median(runs.map((r) => r.achieved)) >= 0.99 * rate && median(runs.map((r) => r.delayMedianMs)) < 1;
        if (!ok) break;
        held = rate;
      }
      rows.push(
        `| ceiling ${label} | held ${fmt(held)} req/s (achieved ≥ 99%, median delay < 1 ms); wrk -t1 -c64: ${fmt(wrkMedian)} req/s; ratio ${fmt(held / wrkMedian, 2)} |`,
      );
    }
  } finally {
    sim.stop();
  }
}

/** The data configs the `data` scenario can climb with (DATA_KINDS picks some, in this order). */
function dataKinds(): Record<string, Json> {
  const fixed = (n: number) => ({ min: n, max: n, mean: n, std_dev: 0 });
  // max_tokens 30 for all, as mock's default; the simulator draws ~20 output tokens for each.
  const io = (n: number) => ({ input_distribution: fixed(n), output_distribution: fixed(30) });
  return {
    mock: { type: "mock" },
    "random-512": { type: "random", ...io(512) },
    "random-2048": { type: "random", ...io(2048) },
    "synthetic-512": { type: "synthetic", ...io(512) },
    "shared_prefix-512+64": {
      type: "shared_prefix",
      shared_prefix: {
        num_groups: 10,
        num_prompts_per_group: 10,
        system_prompt_len: 512,
        question_len: 64,
        output_len: 30,
      },
    },
  };
}

/**
 * The highest constant rate held (achieved ≥ 99%, median schedule delay < 1 ms) for each data config
 * of DATA_KINDS (default: all of dataKinds(), mock first), rung by rung in the same invocation (every
 * config at each rate before the next rate) so the box's load swings hit all alike; the ratio to mock
 * is the figure that compares. The simulator counts prompt words instead of tokenizing
 * (--promptCount words: exact for random and shared_prefix prompts, an estimate for synthetic's
 * punctuation) and keeps no prefix cache, so the client is what is measured. Each config stops climbing at its first failed
 * rung (median of REPEAT runs). DATA_TOKENIZER: a tokenizer.json (file or folder) for the client.
 */
async function dataRates(): Promise<void> {
  const rates = (env.DATA_RATES ?? "1000,2000,4000,6000,8000,10000,12000,14000,16000")
    .split(",")
    .filter((r) => r !== "")
    .map(Number);
  const streaming = env.DATA_STREAMING === "1";
  const table = dataKinds();
  const names = (env.DATA_KINDS ?? Object.keys(table).join(",")).split(",").filter((n) => n !== "");
  for (const name of names)
    if (!(name in table))
      throw new Error(`Unknown DATA_KINDS entry "${name}": expected one of ${Object.keys(table).join(", ")}`);
  const tokenizer = env.DATA_TOKENIZER
    ? { tokenizer: { pretrained_model_name_or_path: env.DATA_TOKENIZER } }
    : {};
  // BASE: the same configs with another checkout's client (e.g. the code before), interleaved.
  const kinds = [
    ...names.map((name) => ({ name, data: table[name]!, root })),
    ...(env.BASE ? names.map((name) => ({ name: `base ${name}`, data: table[name]!, root: env.BASE! })) : []),
  ];
  const configFor = (kind: (typeof kinds)[number], load: Json) => ({
    ...clientConfig(sim.url, load, streaming, kind.data),
    ...tokenizer,
  });
  // The simulator does as little per request as it can: no tokenizer pass, and no prefix cache
  // (FAST_SIM's prefill is free anyway; hashing a 2,048-token prompt's blocks cost it ~0.4 ms).
  const sim = await startSim([...FAST_SIM, "--promptCount", "words", "--disablePrefixCaching"]);
  const held = new Map(kinds.map((k) => [k.name, 0]));
  const climbing = new Set(kinds.map((k) => k.name));
  // Whole-client CPU per request in a closed loop (c=64, no send-time waits), as `cpu` measures it:
  // long run minus short run over their request difference. CPU time is what a busy box disturbs
  // least, and on one client core the ceiling is about 10^6 / (µs per request).
  const cpuPer = new Map<string, number[]>(kinds.map((k) => [k.name, []]));
  const long = Number(env.CPU_REQUESTS ?? 50_000);
  const short = Math.ceil(long / 10);
  const tagOf = (name: string) => name.replace(/[^\w-]/g, "");
  try {
    for (let i = 0; i < REPEAT && long > 0; i++) {
      for (const kind of kinds) {
        const load = (n: number) => ({
          type: "concurrent",
          stages: [{ num_requests: n, concurrency_level: 64 }],
        });
        const tag = `data-cpu-${tagOf(kind.name)}-${i}`;
        const a = await runClient(configFor(kind, load(short)), `${tag}-s`, kind.root);
        const b = await runClient(configFor(kind, load(long)), `${tag}-l`, kind.root);
        const us = ((b.cpuS - a.cpuS) / (long - short)) * 1e6;
        cpuPer.get(kind.name)!.push(us);
        const usPerThread = Object.fromEntries(
          Object.entries(b.threadCpuS).map(([thread, s]) => [
            thread,
            Math.round(((s - (a.threadCpuS[thread] ?? 0)) / (long - short)) * 1e6),
          ]),
        );
        emit({
          scenario: "data-cpu",
          data: kind.name,
          streaming,
          run: i,
          usPerRequest: us,
          usPerThread,
          loadAverage: loadAverage(),
        });
      }
    }
    // A discarded warm-up run: the first client run against a fresh simulator fails rungs the next
    // ones hold (its JIT is cold), which would stop whichever config comes first.
    if (rates.length > 0) {
      const warm = { type: "constant", stages: [{ rate: rates[0], duration: Math.min(DURATION, 5) }] };
      await runClient(configFor(kinds[0]!, warm), "data-warm-up", kinds[0]!.root);
    }
    for (const rate of rates) {
      for (const kind of kinds) {
        if (!climbing.has(kind.name)) continue;
        const runs: ReturnType<typeof loadSummary>[] = [];
        for (let i = 0; i < REPEAT; i++) {
          const config = configFor(kind, { type: "constant", stages: [{ rate, duration: DURATION }] });
          const r = await runClient(config, `data-${tagOf(kind.name)}-${rate}-${i}`, kind.root);
          runs.push(loadSummary(r.stage));
          // CPU per request by thread (load Worker, builder, main, GC and allocator threads), start-up
          // included: where a config's extra cost goes.
          const usPerThread = Object.fromEntries(
            Object.entries(r.threadCpuS)
              .filter(([, s]) => s > 0.005)
              .map(([thread, s]) => [thread, Math.round((s / runs[i]!.count) * 1e6)]),
          );
          emit({
            scenario: "data",
            data: kind.name,
            streaming,
            rate,
            run: i,
            cpuS: r.cpuS,
            ...runs[i],
            usPerThread,
            loadAverage: loadAverage(),
          });
        }
        const ok =
          median(runs.map((r) => r.achieved)) >= 0.99 * rate && median(runs.map((r) => r.delayMedianMs)) < 1;
        if (ok) held.set(kind.name, rate);
        else climbing.delete(kind.name);
      }
      if (climbing.size === 0) break;
    }
  } finally {
    sim.stop();
  }
  const mode = `${streaming ? "~20-token streams" : "non-streaming"}, ${env.DATA_TOKENIZER ? `tokenizer ${env.DATA_TOKENIZER}` : "default tokenizer"}`;
  for (const prefix of env.BASE ? ["", "base "] : [""]) {
    const label = prefix === "" ? "" : ` (BASE: ${env.BASE})`;
    const mock = held.get(`${prefix}mock`);
    const cpuMock = cpuPer.get(`${prefix}mock`) ?? [];
    for (const name of names) {
      const cpus = cpuPer.get(`${prefix}${name}`)!;
      const rate = held.get(`${prefix}${name}`)!;
      const cpuText =
        cpus.length === 0
          ? ""
          : `client CPU per request (closed loop c=64) ${fmt(median(cpus), 1)} µs${cpuMock.length > 0 && name !== "mock" ? ` (${fmt(median(cpus) / median(cpuMock), 2)}× mock's)` : ""}`;
      const rateText =
        rates.length === 0
          ? ""
          : `held ${fmt(rate)} req/s${mock !== undefined && mock > 0 && name !== "mock" ? `, ${fmt(rate / mock, 2)} of mock's` : ""}`;
      rows.push(
        `| data ${name}, ${mode}${label} | ${[rateText, cpuText].filter((t) => t !== "").join("; ")} |`,
      );
    }
  }
}

/** Client threads by name: the load Worker (the seed's one Worker is unnamed), its waker and builder, the main thread. */
const THREAD_GROUPS: Record<string, string> = {
  load: "load",
  Worker: "load",
  wake: "wake",
  build: "build",
  bun: "main",
  "bun.exe": "main",
  JITWorker: "JIT",
  "mi-scavenger": "allocator",
  HeapHelper: "GC",
};
const THREAD_COLUMNS = ["load", "build", "wake", "main", "JIT", "allocator", "GC", "other"];

/** CPU µs per request by thread group: the long run's thread times minus the short run's. */
function threadsPerRequest(long: ClientRun, short: ClientRun, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries(long.threadCpuS)) {
    const group = THREAD_GROUPS[name] ?? "other";
    out[group] = (out[group] ?? 0) + ((t - (short.threadCpuS[name] ?? 0)) / requests) * 1e6;
  }
  return out;
}

/**
 * Client CPU per request in a closed loop (64 in flight, no send-time waits, so no spinning):
 * (CPU of a long run − CPU of a short run) / (their request difference), which cancels startup.
 * BASE (another checkout, e.g. the seed's): its client runs too, interleaved run by run with this
 * tree's, so the ratio of medians compares two builds under the same swings of a busy box. Each
 * thread's share comes from /proc samples (every 100 ms, so a row need not add up to the total).
 */
async function cpu(): Promise<void> {
  const long = Number(env.CPU_REQUESTS ?? 100_000);
  // The short run must outlast the JIT's tiering (a few seconds), or the difference keeps some of it.
  const short = Number(env.CPU_SHORT ?? Math.ceil(long / 10));
  const trees = [
    { label: "this tree", root },
    ...(env.BASE ? [{ label: `BASE ${env.BASE}`, root: env.BASE }] : []),
  ];
  const sim = await startSim(FAST_SIM);
  try {
    for (const streaming of [false, true]) {
      const per = trees.map(() => [] as number[]);
      const rates = trees.map(() => [] as number[]);
      const threads = trees.map(() => [] as Record<string, number>[]);
      for (let i = 0; i < REPEAT; i++) {
        // ABBA: the trees take turns going first, so a drift of the box's load favours neither.
        const order = i % 2 === 0 ? [...trees.entries()] : [...trees.entries()].reverse();
        for (const [t, tree] of order) {
          const load = (n: number) => ({
            type: "concurrent",
            stages: [{ num_requests: n, concurrency_level: 64 }],
          });
          const tag = `cpu-${t}-${streaming}-${i}`;
          const a = await runClient(clientConfig(sim.url, load(short), streaming), `${tag}-s`, tree.root);
          const b = await runClient(clientConfig(sim.url, load(long), streaming), `${tag}-l`, tree.root);
          const us = ((b.cpuS - a.cpuS) / (long - short)) * 1e6;
          const byThread = threadsPerRequest(b, a, long - short);
          per[t]!.push(us);
          rates[t]!.push((long - short) / (b.wallS - a.wallS));
          threads[t]!.push(byThread);
          emit({
            scenario: "cpu",
            tree: tree.label,
            streaming,
            run: i,
            usPerRequest: us,
            closedLoopRate: rates[t]![i],
            threads: byThread,
            rawThreadsUs: Object.fromEntries(
              Object.entries(b.threadCpuS).map(([n, x]) => [
                n,
                ((x - (a.threadCpuS[n] ?? 0)) / (long - short)) * 1e6,
              ]),
            ),
            loadAverage: loadAverage(),
          });
        }
      }
      for (const [t, tree] of trees.entries()) {
        const us = median(per[t]!);
        const ratio = t > 0 ? "" : env.BASE ? `, ${fmt(us / median(per[1]!), 2)}× BASE's` : "";
        const split = THREAD_COLUMNS.map((c) => {
          const xs = threads[t]!.map((r) => r[c] ?? 0);
          return `${c} ${fmt(median(xs), 1)}`;
        }).join(", ");
        rows.push(
          `| client CPU per request, closed loop c=64, ${streaming ? "~20-token streams (tokens arrive together)" : "non-streaming"}${trees.length > 1 ? `, ${tree.label}` : ""} | ${fmt(us, 1)} µs${ratio} (closed-loop rate ${fmt(median(rates[t]!))} req/s; by thread, µs: ${split}) |`,
        );
      }
    }
  } finally {
    sim.stop();
  }
}

/**
 * The HTTP transport alone (scripts/bench/transport-client.ts: closed loop, 64 in flight, no records,
 * READER=1 adds the response reader) over each socket adapter, pinned like the client.
 */
async function transport(): Promise<void> {
  const requests = env.TRANSPORT_REQUESTS ?? "50000";
  const sim = await startSim(FAST_SIM);
  try {
    for (const streaming of [false, true]) {
      for (const adapter of ["bun", "node"]) {
        const runs: Json[] = [];
        for (let i = 0; i < REPEAT; i++) {
          const out = spawnSync(
            "taskset",
            [
              "-c",
              CLIENT_CPUS,
              bun,
              join(root, "scripts/bench/transport-client.ts"),
              sim.url,
              streaming ? "1" : "0",
              requests,
              "64",
              adapter,
            ],
            { encoding: "utf8" },
          );
          const line = out.stdout.trim().split("\n").at(-1) ?? "";
          if (out.status !== 0 || line === "") throw new Error(`transport client failed: ${out.stderr}`);
          const r = JSON.parse(line) as Json;
          emit({ scenario: "transport", run: i, ...r });
          runs.push(r);
        }
        const at = (key: string) => median(runs.map((r) => r[key] as number));
        rows.push(
          `| transport${env.READER === "1" ? " + response reader" : " alone"} over ${adapter} sockets, closed loop c=64, ${streaming ? "~20-token streams" : "non-streaming"} | ${fmt(at("usPerRequest"), 1)} µs per request, ${fmt(at("readsPerRequest"), 2)} reads per response |`,
        );
      }
    }
  } finally {
    sim.stop();
  }
}

async function scale(): Promise<void> {
  const c = Number(env.SCALE_CONCURRENCY ?? 10000);
  // Slow streams: 20 tokens 250 ms apart keep every request open ~5 s.
  const sim = await startSim([
    "--prefillMs",
    "100",
    "--prefillMsPerToken",
    "0",
    "--itlMs",
    "250",
    "--maxNumSeqs",
    String(c * 2),
    "--outputLenMean",
    "20",
  ]);
  // The server's view of concurrency: peak running + waiting from its /metrics, polled twice a second.
  let peak = 0;
  const poll = setInterval(async () => {
    try {
      const text = await (await fetch(`${sim.url}/metrics`)).text();
      let sum = 0;
      for (const m of text.matchAll(/^vllm:num_requests_(?:running|waiting)\{[^}]*\} ([\d.]+)/gm))
        sum += Number(m[1]);
      peak = Math.max(peak, sum);
    } catch {
      // server busy or gone
    }
  }, 500);
  try {
    const r = await runClient(
      clientConfig(
        sim.url,
        {
          type: "concurrent",
          num_workers: 1,
          worker_max_tcp_connections: c,
          stages: [{ num_requests: c * 2, concurrency_level: c }],
        },
        true,
      ),
      "scale",
    );
    const s = loadSummary(r.stage);
    emit({
      scenario: "scale",
      concurrency: c,
      ...s,
      serverPeakInFlight: peak,
      maxRssMb: r.maxRssMb,
      wallS: r.wallS,
    });
    rows.push(
      `| ${fmt(c)} concurrent 20-token streams (${fmt(c * 2)} requests) | server-side peak in flight ${fmt(peak)}, failures ${s.failures} of ${fmt(s.count)}, client peak RSS ${fmt(r.maxRssMb)} MB, wall ${fmt(r.wallS, 1)} s |`,
    );
  } finally {
    clearInterval(poll);
    sim.stop();
  }
}

async function memory(): Promise<void> {
  const total = Number(env.MEMORY_REQUESTS ?? 1_000_000);
  const rate = Number(env.MEMORY_RATE ?? 5000);
  const sim = await startSim(FAST_SIM);
  try {
    const r = await runClient(
      clientConfig(
        sim.url,
        { type: "constant", stages: [{ rate, duration: Math.ceil(total / rate) }] },
        false,
      ),
      "memory",
    );
    const s = loadSummary(r.stage);
    // Growth from the first sample after warm-up (10% into the run) to the largest later sample.
    const samples = r.rssSamplesMb;
    const warm = samples[Math.floor(samples.length * 0.1)] ?? Number.NaN;
    const growth = Math.max(...samples.slice(Math.floor(samples.length * 0.1))) - warm;
    emit({
      scenario: "memory",
      total,
      rate,
      ...s,
      rssWarmMb: warm,
      rssGrowthMb: growth,
      maxRssMb: r.maxRssMb,
      rssSamplesMb: samples,
    });
    rows.push(
      `| ${fmt(s.count)} non-streaming requests at ${fmt(rate)} req/s, per-request reports off | RSS after warm-up ${fmt(warm)} MB, growth ${fmt(growth)} MB, peak ${fmt(r.maxRssMb)} MB, failures ${s.failures} |`,
    );
  } finally {
    sim.stop();
  }
}

const which = process.argv[2] ?? "all";
const load = loadAverage();
process.stderr.write(`load average before: ${load}\n`);
try {
  if (which === "accuracy" || which === "all") await accuracy();
  if (which === "ceiling" || which === "all") await ceiling();
  if (which === "data" || which === "all") await dataRates();
  if (which === "cpu" || which === "all") await cpu();
  if (which === "transport" || which === "all") await transport();
  if (which === "scale" || which === "all") await scale();
  if (which === "memory" || which === "all") await memory();
} finally {
  cleanup();
}
const after = loadAverage();
process.stdout.write(
  `\n| scenario | result |\n|---|---|\n${rows.join("\n")}\n\nload average before: ${load}; after: ${after}\n`,
);
