// What `metrics.type: scrape` costs the load generator. Two parts, in one invocation:
//  1. the main-thread CPU of one scrape's processing (parse the simulator's /metrics text, take the
//     catalog's snapshot, difference it against the previous one), in-process, N times;
//  2. whole runs: the simulator pinned to SERVER_CPUS, `inferload run` pinned to CLIENT_CPUS, constant
//     RATE req/s for DURATION s, streamed, with no server metrics (baseline), scrape every 1 s, and
//     scrape every 0.1 s (10x the default, to make any cost visible), alternated REPEAT times.
// Prints one JSON line per run and a Markdown table of medians with ratios against the baseline.
//
//   bun scripts/bench/server-metrics.ts
//   env: RATE (1000) DURATION (20) REPEAT (3) SCRAPES (2000) SERVER_CPUS (0) CLIENT_CPUS (1)
// Needs taskset and /usr/bin/time.
import { catalogFor, metricFilters } from "../../lib/server-metrics/catalog.ts";
import { type LabelMatcher, parseMatcher } from "../../lib/server-metrics/matchers.ts";
import { parseExposition } from "../../lib/server-metrics/prom-text.ts";
import { frameBetween, takeSnapshot, wantedNames } from "../../lib/server-metrics/snapshot.ts";
import { createBench, loadSummary, median, NO_DELAY_SIM } from "./_client-runs.ts";

const env = process.env;
const RATE = Number(env.RATE ?? 1000);
const DURATION = Number(env.DURATION ?? 20);
const REPEAT = Number(env.REPEAT ?? 3);
const SCRAPES = Number(env.SCRAPES ?? 2000);
const bench = createBench(env);

/** Part 1: µs of CPU per scrape processed (text already fetched). */
async function scrapeProcessing(url: string): Promise<number> {
  // Load the simulator a little first, so histograms have counts in many buckets.
  await Promise.all(
    Array.from({ length: 50 }, () =>
      fetch(`${url}/v1/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "sim-model", prompt: "a b c", max_tokens: 20 }),
      }).then((r) => r.text()),
    ),
  );
  const text = await (await fetch(`${url}/metrics`)).text();
  const { type, specs } = catalogFor("vllm");
  const matchers = metricFilters(type, "sim-model", []).map((f) => parseMatcher(f) as LabelMatcher);
  const wanted = wantedNames(specs);
  const keep = (name: string) => wanted.has(name);
  let previous = takeSnapshot(parseExposition(text, keep), specs, matchers);
  const start = process.cpuUsage();
  for (let i = 0; i < SCRAPES; i++) {
    const next = takeSnapshot(parseExposition(text, keep), specs, matchers);
    frameBetween(previous, next);
    previous = next;
  }
  const used = process.cpuUsage(start);
  const perScrapeUs = (used.user + used.system) / SCRAPES;
  console.log(
    JSON.stringify({ part: "processing", bytes: text.length, lines: text.split("\n").length, perScrapeUs }),
  );
  return perScrapeUs;
}

interface Run {
  mode: string;
  cpuS: number;
  achieved: number;
  delayMedianMs: number;
  delayP99Ms: number;
  failures: number;
  count: number;
}

async function runClient(url: string, mode: string, metrics: unknown, i: number): Promise<Run> {
  const config = {
    api: { type: "completion", streaming: true },
    data: { type: "mock" },
    load: { num_workers: 1, interval: 0, base_seed: 1, stages: [{ rate: RATE, duration: DURATION }] },
    server: { base_url: url, model_name: "sim-model", ignore_eos: false },
    report: { request_lifecycle: { per_stage: true, summary: false } },
    ...(metrics === null ? {} : { metrics }),
  };
  const { cpuS, stage } = await bench.runClient(config, `${mode}-${i}`);
  const s = loadSummary(stage);
  const run: Run = {
    mode,
    cpuS,
    achieved: s.achieved,
    delayMedianMs: s.delayMedianMs,
    delayP99Ms: s.delayP99Ms,
    failures: s.failures,
    count: s.count,
  };
  console.log(JSON.stringify(run));
  return run;
}

const modes: [string, unknown][] = [
  ["none", null],
  ["scrape 1 s", { type: "scrape", scrape: { interval: 1 } }],
  ["scrape 0.1 s", { type: "scrape", scrape: { interval: 0.1 } }],
];

const sim = await bench.startSim(NO_DELAY_SIM);
try {
  const perScrapeUs = await scrapeProcessing(sim.url);
  const runs: Run[] = [];
  for (let i = 0; i < REPEAT; i++)
    for (const [mode, metrics] of modes) runs.push(await runClient(sim.url, mode, metrics, i));
  const base = runs.filter((r) => r.mode === "none");
  const m = (rs: Run[], k: keyof Run) => median(rs.map((r) => r[k] as number));
  console.log(`\nScrape processing: ${perScrapeUs.toFixed(0)} µs of CPU per scrape (median of ${SCRAPES})\n`);
  console.log(
    `| mode (${RATE} req/s × ${DURATION} s, ${REPEAT} runs) | client CPU s | vs none | achieved req/s | delay median ms | delay p99 ms | failures |`,
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const [mode] of modes) {
    const rs = runs.filter((r) => r.mode === mode);
    console.log(
      `| ${mode} | ${m(rs, "cpuS").toFixed(2)} | ${(m(rs, "cpuS") / m(base, "cpuS")).toFixed(3)} | ${m(rs, "achieved").toFixed(1)} | ${m(rs, "delayMedianMs").toFixed(3)} | ${m(rs, "delayP99Ms").toFixed(2)} | ${m(rs, "failures")} |`,
    );
  }
} finally {
  sim.stop();
  bench.cleanup();
}
