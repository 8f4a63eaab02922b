// Pacing cost: what waiting for send times costs the client, next to the schedule accuracy it buys.
// The real CLI (`inferload run`, one load Worker, mock data, ~20-token streams) against the built-in
// simulator in its own process (load.ts's pinning: simulator on SERVER_CPUS, client on CLIENT_CPUS),
// at constant and Poisson rates, once with each pacing of the same build in the same invocation:
// "waker" (the default) and "timer-spin" (the wait before it, INFERLOAD_PACING=timer-spin).
//
// Client CPU per request is (CPU of a DURATION-s run − CPU of a SHORT-s run) / (their request
// difference), so start-up cancels out; % of a core is the same CPU difference over the duration
// difference. Delay and achieved rate come from the long run's stage report. Configurations run
// interleaved, repetition by repetition, so the shared machine's load swings hit both pacings alike;
// the table gives medians of REPEAT runs.
//
//   bun scripts/bench/pacing.ts
//   env: DURATION (s, 30), SHORT (s, 5), REPEAT (3), RATES (100,1000,5000), ARRIVALS (constant,poisson),
//        PACINGS (waker,timer-spin), SERVER_CPUS (0), CLIENT_CPUS (1)
// Needs taskset and /usr/bin/time.
import {
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
const REPEAT = Number(env.REPEAT ?? 3);
const RATES = (env.RATES ?? "100,1000,5000").split(",").map(Number);
const ARRIVALS = (env.ARRIVALS ?? "constant,poisson").split(",");
const PACINGS = (env.PACINGS ?? "waker,timer-spin").split(",");
const BASELINE = "timer-spin";

interface PacingRun {
  usPerRequest: number;
  corePercent: number;
  delayMedianMs: number;
  delayP99Ms: number;
  achieved: number;
  failures: number;
}

const bench = createBench(env);

async function measure(url: string, arrival: string, rate: number, pacing: string, run: number) {
  const config = (duration: number) =>
    clientConfig(url, { type: arrival, stages: [{ rate, duration }] }, true);
  const tag = `pacing-${arrival}-${rate}-${pacing}-${run}`;
  const options = { env: { INFERLOAD_PACING: pacing } };
  const short = await bench.runClient(config(SHORT), `${tag}-s`, options);
  const long = await bench.runClient(config(DURATION), `${tag}-l`, options);
  const s = loadSummary(short.stage);
  const l = loadSummary(long.stage);
  const cpuS = long.cpuS - short.cpuS;
  const result: PacingRun = {
    usPerRequest: (cpuS / (l.count - s.count)) * 1e6,
    corePercent: (100 * cpuS) / (DURATION - SHORT),
    delayMedianMs: l.delayMedianMs,
    delayP99Ms: l.delayP99Ms,
    achieved: l.achieved,
    failures: l.failures + s.failures,
  };
  emit({
    scenario: "pacing",
    arrival,
    rate,
    pacing,
    run,
    ...result,
    cpuShortS: short.cpuS,
    cpuLongS: long.cpuS,
  });
  return result;
}

const before = loadAverage();
process.stderr.write(`load average before: ${before}\n`);
const runs = new Map<string, PacingRun[]>();
const key = (arrival: string, rate: number, pacing: string) => `${arrival} ${rate} ${pacing}`;
const sim = await bench.startSim(FAST_SIM);
try {
  for (let run = 0; run < REPEAT; run++) {
    for (const arrival of ARRIVALS) {
      for (const rate of RATES) {
        for (const pacing of PACINGS) {
          const result = await measure(sim.url, arrival, rate, pacing, run);
          const k = key(arrival, rate, pacing);
          runs.set(k, [...(runs.get(k) ?? []), result]);
        }
      }
    }
  }
} finally {
  sim.stop();
  bench.cleanup();
}
const after = loadAverage();

const rows = [
  "| arrival | rate (req/s) | pacing | client CPU per request | % of a core | vs timer-spin | schedule delay p50 | p99 | achieved |",
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
process.stdout.write(
  `\n${rows.join("\n")}\n\nMedians of ${REPEAT} runs; ${DURATION} s runs minus ${SHORT} s runs. load average before: ${before}; after: ${after}\n`,
);
