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
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { catalogFor, metricFilters } from "../../lib/server-metrics/catalog.ts";
import { type LabelMatcher, parseMatcher } from "../../lib/server-metrics/matchers.ts";
import { parseExposition } from "../../lib/server-metrics/prom-text.ts";
import { frameBetween, takeSnapshot, wantedNames } from "../../lib/server-metrics/snapshot.ts";

const root = resolve(import.meta.dirname, "../..");
const bun = process.execPath;
const env = process.env;
const RATE = Number(env.RATE ?? 1000);
const DURATION = Number(env.DURATION ?? 20);
const REPEAT = Number(env.REPEAT ?? 3);
const SCRAPES = Number(env.SCRAPES ?? 2000);
const work = mkdtempSync(join(tmpdir(), "inferload-bench-sm-"));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function startSim(): Promise<{ url: string; stop: () => void }> {
  const port = 20000 + Math.floor(Math.random() * 12000);
  const args = [
    "sim",
    "--port",
    String(port),
    "--prefillMs",
    "0",
    "--prefillMsPerToken",
    "0",
    "--itlMs",
    "0",
  ];
  const child = spawn("taskset", ["-c", env.SERVER_CPUS ?? "0", bun, join(root, "cmd/main.ts"), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/\S+/.exec(out);
      if (m) ok(m[0]);
    });
    setTimeout(() => fail(new Error("sim did not start in 20 s")), 20_000);
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

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
  const dir = join(work, `${mode}-${i}`);
  const path = join(work, `${mode}-${i}.json`);
  const config = {
    api: { type: "completion", streaming: true },
    data: { type: "mock" },
    load: { num_workers: 1, interval: 0, base_seed: 1, stages: [{ rate: RATE, duration: DURATION }] },
    server: { base_url: url, model_name: "sim-model", ignore_eos: false },
    report: { request_lifecycle: { per_stage: true, summary: false } },
    ...(metrics === null ? {} : { metrics }),
  };
  writeFileSync(path, JSON.stringify(config));
  const child = spawn(
    "/usr/bin/time",
    [
      "-f",
      "TIME %e %U %S",
      "taskset",
      "-c",
      env.CLIENT_CPUS ?? "1",
      bun,
      join(root, "cmd/main.ts"),
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
  const code = await new Promise<number>((r) => child.on("exit", (c) => r(c ?? 1)));
  const t = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
  if (code !== 0 || t === null) throw new Error(`run ${mode} failed (${code}): ${stderr.slice(-1500)}`);
  const stage = JSON.parse(readFileSync(join(dir, "stage_0_lifecycle_metrics.json"), "utf8"));
  rmSync(dir, { recursive: true, force: true });
  const ls = stage.load_summary;
  const run: Run = {
    mode,
    cpuS: Number(t[2]) + Number(t[3]),
    achieved: ls.achieved_rate,
    delayMedianMs: ls.schedule_delay.median * 1000,
    delayP99Ms: ls.schedule_delay.p99 * 1000,
    failures: stage.failures.count,
    count: ls.count,
  };
  console.log(JSON.stringify(run));
  return run;
}

const modes: [string, unknown][] = [
  ["none", null],
  ["scrape 1 s", { type: "scrape", scrape: { interval: 1 } }],
  ["scrape 0.1 s", { type: "scrape", scrape: { interval: 0.1 } }],
];

const sim = await startSim();
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
  rmSync(work, { recursive: true, force: true });
}
