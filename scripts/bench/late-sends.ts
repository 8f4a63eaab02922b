// Why sends leave more than 1 ms late: lines a run's per-request records up with the kernel's
// scheduling events on the client's core and says, for the first late send of each burst, where its
// lateness went: the load thread running (its own work, its GC pauses), runnable but waiting while
// another thread held the core (which), or asleep (its wake not yet come: the waker thread waiting for
// the core, which, or its timer late).
//
//   perf sched record -k CLOCK_MONOTONIC -o sched.data &        # root; started before the run
//   taskset -c 1 bun cmd/main.ts run -c cfg.yaml                # per_request: true; then stop perf (SIGINT)
//   perf script -i sched.data -F tid,comm,cpu,time,event,trace > sched.txt
//   bun scripts/bench/late-sends.ts sched.txt out/per_request_records.jsonl [client CPU, 1]
//   env: OPENING_MS (300; 0 for none): also split the stage's opening by thread, 50 ms at a time
//
// Clocks: perf stamps CLOCK_MONOTONIC, records the shared clock (lib/runtime/clock.ts, epoch-based).
// The offset is found, not assumed: a send is stamped by the load thread just before its write, so
// the right offset puts (nearly) every sentMs inside one of the load thread's runs; it is searched
// around Date.now() − uptime and reported with the share of sends it places so.
import { readFileSync } from "node:fs";

const [schedPath, recordsPath, cpuArg = "1"] = process.argv.slice(2);
if (schedPath === undefined || recordsPath === undefined) {
  console.error(
    "usage: bun scripts/bench/late-sends.ts <perf script output> <per_request_records.jsonl> [cpu]",
  );
  process.exit(2);
}
const CPU = Number(cpuArg);
const LATE_MS = 1;
/** A late send within this of the previous late one's send is the same burst. */
const BURST_GAP_MS = 3;
/** Looked at from this long before the send time (the lead the load thread spins). */
const BEFORE_MS = 0.3;

type State = "run" | "ready" | "asleep";
interface Run {
  start: number;
  end: number;
  comm: string;
}

// --- the core's timeline (perf ms, monotonic) and the two threads' states
const runs: Run[] = [];
const states = new Map<string, { t: number; s: State }[]>([
  ["load", []],
  ["wake", []],
]);
const lineRe = /\[(\d+)\] +(\d+\.\d+): +sched:(sched_switch|sched_waking): (.*)$/;
const switchRe = /prev_comm=(.*) prev_pid=\d+ prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*) next_pid=\d+/;
const wakingRe = /comm=(.*) pid=\d+ prio=\d+ target_cpu=(\d+)/;
let current: { comm: string; start: number } | null = null;
for (const line of readFileSync(schedPath, "utf8").split("\n")) {
  const m = lineRe.exec(line);
  if (m === null) continue;
  const t = Number(m[2]) * 1000;
  if (m[3] === "sched_waking") {
    const w = wakingRe.exec(m[4]!);
    if (w !== null && Number(w[2]) === CPU) states.get(w[1]!)?.push({ t, s: "ready" });
    continue;
  }
  if (Number(m[1]) !== CPU) continue;
  const s = switchRe.exec(m[4]!);
  if (s === null) continue;
  const [, prev, prevState, next] = s as unknown as [string, string, string, string];
  if (current !== null) runs.push({ start: current.start, end: t, comm: current.comm });
  current = { comm: next, start: t };
  states.get(prev)?.push({ t, s: prevState.startsWith("R") ? "ready" : "asleep" });
  states.get(next)?.push({ t, s: "run" });
}
for (const list of states.values()) list.sort((a, b) => a.t - b.t);

function firstAfter<T>(list: T[], t: number, at: (x: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(list[mid]!) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** CPU time on the core per thread name within [a, b). */
function held(a: number, b: number, out = new Map<string, number>()): Map<string, number> {
  for (
    let i = Math.max(0, firstAfter(runs, a, (r) => r.start) - 1);
    i < runs.length && runs[i]!.start < b;
    i++
  ) {
    const r = runs[i]!;
    const o = Math.min(r.end, b) - Math.max(r.start, a);
    if (o > 0) out.set(r.comm, (out.get(r.comm) ?? 0) + o);
  }
  return out;
}

/** Time in each state of `who` within [a, b); with `cpu`, adds who held the core while it was ready. */
function stateTimes(who: string, a: number, b: number, cpu?: Map<string, number>): Record<State, number> {
  const list = states.get(who)!;
  const out: Record<State, number> = { run: 0, ready: 0, asleep: 0 };
  for (let i = Math.max(0, firstAfter(list, a, (x) => x.t) - 1); i < list.length && list[i]!.t < b; i++) {
    const s = Math.max(list[i]!.t, a);
    const e = Math.min(list[i + 1]?.t ?? b, b);
    if (e <= s) continue;
    out[list[i]!.s] += e - s;
    if (cpu !== undefined && list[i]!.s === "ready") held(s, e, cpu).delete(who);
  }
  return out;
}

// --- records, and the clock offset (shared clock − perf clock)
interface Sent {
  scheduledMs: number;
  sentMs: number;
}
const sends: Sent[] = [];
for (const line of readFileSync(recordsPath, "utf8").split("\n")) {
  if (line === "") continue;
  const r = JSON.parse(line) as Partial<Sent>;
  if (typeof r.sentMs === "number" && typeof r.scheduledMs === "number" && Number.isFinite(r.sentMs))
    sends.push({ scheduledMs: r.scheduledMs, sentMs: r.sentMs });
}
sends.sort((a, b) => a.scheduledMs - b.scheduledMs);
const loadRuns = runs.filter((r) => r.comm === "load");
const sample = sends.filter((_, i) => i % Math.max(1, Math.floor(sends.length / 1000)) === 0);
const inside = (offset: number): number => {
  let n = 0;
  for (const s of sample) {
    const t = s.sentMs - offset;
    const r = loadRuns[firstAfter(loadRuns, t, (x) => x.start) - 1];
    if (r !== undefined && r.end >= t) n++;
  }
  return n;
};
const uptimeMs = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;
let offset = Date.now() - uptimeMs;
let placed = 0;
for (const [span, step] of [
  [60, 0.04],
  [0.1, 0.002],
] as const) {
  let best = offset;
  let bestN = -1;
  for (let d = -span; d <= span; d += step) {
    const n = inside(offset + d);
    if (n > bestN) [best, bestN] = [offset + d, n];
  }
  offset = best;
  placed = bestN;
}
for (const r of runs) {
  r.start += offset;
  r.end += offset;
}
for (const list of states.values()) for (const x of list) x.t += offset;

// --- the late sends, in bursts
const t0 = sends[0]?.scheduledMs ?? 0;
const late = sends.filter((s) => s.sentMs - s.scheduledMs > LATE_MS);
const bursts: Sent[][] = [];
for (const s of late) {
  const last = bursts.at(-1);
  if (last !== undefined && s.scheduledMs - last.at(-1)!.sentMs < BURST_GAP_MS) last.push(s);
  else bursts.push([s]);
}
const load: Record<State, number> = { run: 0, ready: 0, asleep: 0 };
const wake: Record<State, number> = { run: 0, ready: 0, asleep: 0 };
const whileLoadReady = new Map<string, number>();
const whileWakeReady = new Map<string, number>();
for (const [first] of bursts as [Sent, ...Sent[]][]) {
  const a = first.scheduledMs - BEFORE_MS;
  const st = stateTimes("load", a, first.sentMs, whileLoadReady);
  for (const k of Object.keys(load) as State[]) load[k] += st[k];
  // The waker's side of the time the load thread slept through its send time.
  if (st.asleep > 0) {
    const list = states.get("load")!;
    let i = firstAfter(list, a, (x) => x.t);
    while (i < list.length && list[i]!.s !== "ready") i++;
    const woken = list[i]?.t ?? first.sentMs;
    const ws = stateTimes("wake", a, Math.min(woken, first.sentMs), whileWakeReady);
    for (const k of Object.keys(wake) as State[]) wake[k] += ws[k];
  }
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const pct = (x: number, of: number): string => `${((100 * x) / Math.max(of, 1e-9)).toFixed(0)}%`;
const top = (m: Map<string, number>): string =>
  [...m]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 8)
    .map(([k, v]) => `${k} ${ms(v)}`)
    .join(", ");
const total = load.run + load.ready + load.asleep;
const delays = sends.map((s) => s.sentMs - s.scheduledMs).sort((a, b) => a - b);
console.log(`clock offset found: ${placed}/${sample.length} sampled sends fall inside a load-thread run`);
console.log(
  `${sends.length} sends, p50 ${delays[Math.floor(delays.length / 2)]?.toFixed(3)} ms, p99 ${delays[Math.floor(delays.length * 0.99)]?.toFixed(2)} ms; ${late.length} over ${LATE_MS} ms late in ${bursts.length} bursts`,
);
console.log(
  `first late send of each burst, from ${BEFORE_MS} ms before its time to its send (${ms(total)}):`,
);
console.log(`  load thread running ${ms(load.run)} (${pct(load.run, total)})`);
console.log(
  `  load thread runnable, core held by others ${ms(load.ready)} (${pct(load.ready, total)}): ${top(whileLoadReady)}`,
);
console.log(`  load thread asleep ${ms(load.asleep)} (${pct(load.asleep, total)}); meanwhile the waker:`);
console.log(`    runnable, core held by others ${ms(wake.ready)}: ${top(whileWakeReady)}`);
console.log(`    asleep (its timer not yet fired) ${ms(wake.asleep)}, running ${ms(wake.run)}`);
const end = sends.at(-1)?.sentMs ?? t0;
console.log(`core ${CPU} over the run (${ms(end - t0)}): ${top(held(t0, end))}`);

// --- the stage's opening: who had the core, 50 ms at a time (cold code, one-off start chores)
const OPENING_MS = Number(process.env.OPENING_MS ?? 300);
if (OPENING_MS > 0) {
  console.log(
    `from 10 ms before the first send time to ${OPENING_MS} ms after, 50 ms at a time: late sends; CPU by thread`,
  );
  for (let a = t0 - 10; a < t0 + OPENING_MS; a += 50) {
    const n = late.filter((s) => s.scheduledMs >= a && s.scheduledMs < a + 50).length;
    console.log(
      `  ${(a - t0).toFixed(0).padStart(4)} ms: ${String(n).padStart(3)} late; ${top(held(a, a + 50))}`,
    );
  }
}
