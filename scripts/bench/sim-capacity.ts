// Capacity of `inferload sim` on one core: the simulator runs as its own process pinned to one CPU
// (taskset), wrk drives it from another. Measures paced 20-token streams per second (prefill 20 ms,
// ITL 5 ms, so one stream ideally takes 115 ms) and unpaced requests per second (zero latency).
// Usage: bun scripts/bench/sim-capacity.ts [--server-cpu 0] [--client-cpu 1] [--duration 10]
// (or deno run -A scripts/bench/sim-capacity.ts … to measure the simulator under Deno)
// Uses wrk from PATH, or fetches Debian's (scripts/fetch-wrk.sh) when there is none. Prints a Markdown table and, with BENCH_JSON=1, JSON on stdout.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../cmd/main.ts", import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const serverCpu = arg("server-cpu", "0");
const clientCpu = arg("client-cpu", "1");
const duration = Number(arg("duration", "10"));
const isDeno = "Deno" in globalThis;
const hasTaskset = spawnSync("taskset", ["--version"]).status === 0;
/** wrk on PATH, else the one scripts/fetch-wrk.sh unpacks from Debian's package. */
function findWrk(): string {
  if (spawnSync("wrk", ["--version"]).error === undefined) return "wrk";
  const script = fileURLToPath(new URL("../fetch-wrk.sh", import.meta.url));
  const fetched = spawnSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const path = fetched.stdout?.trim() ?? "";
  if (fetched.status !== 0 || path === "") {
    process.stderr.write("wrk not found, and scripts/fetch-wrk.sh could not fetch it (see above)\n");
    process.exit(2);
  }
  return path;
}
const WRK = findWrk();
const pinned = (cpu: string, cmd: string[]) => (hasTaskset ? ["taskset", "-c", cpu, ...cmd] : cmd);

interface Case {
  name: string;
  simFlags: string[];
  body: object;
  connections: number;
  /** Ideal latency of one request at this configuration, in ms. */
  idealMs: number;
}

const paced = [
  "--prefill-ms",
  "20",
  "--prefill-ms-per-token",
  "0",
  "--itl-ms",
  "5",
  "--max-num-seqs",
  "100000",
];
const unpaced = [
  "--prefill-ms",
  "0",
  "--prefill-ms-per-token",
  "0",
  "--itl-ms",
  "0",
  "--max-num-seqs",
  "100000",
];
const stream20 = { model: "sim-model", prompt: "hello", max_tokens: 20, ignore_eos: true, stream: true };
const cases: Case[] = [
  ...[250, 500, 1000, 2000].map((c) => ({
    name: "paced 20-token stream",
    simFlags: paced,
    body: stream20,
    connections: c,
    idealMs: 115,
  })),
  ...[64, 256].map((c) => ({
    name: "unpaced 20-token stream",
    simFlags: unpaced,
    body: stream20,
    connections: c,
    idealMs: 0,
  })),
  ...[64, 256].map((c) => ({
    name: "unpaced non-streamed",
    simFlags: unpaced,
    body: { ...stream20, stream: false },
    connections: c,
    idealMs: 0,
  })),
];

async function startServer(flags: string[]): Promise<{ child: ChildProcess; url: string }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const runtime = isDeno ? [process.execPath, "run", "-A", MAIN] : [process.execPath, MAIN];
    const cmd = pinned(serverCpu, [...runtime, "sim", "--port", String(port), ...flags]);
    const child = spawn(cmd[0] as string, cmd.slice(1), { stdio: ["ignore", "pipe", "ignore"] });
    const url = await new Promise<string | null>((resolve) => {
      child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
      child.once("exit", () => resolve(null));
    });
    if (url !== null) return { child, url };
  }
  throw new Error("Could not start the simulator");
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

function wrk(url: string, body: object, connections: number, dir: string) {
  const script = join(dir, "post.lua");
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = '${JSON.stringify(body)}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  const threads = connections >= 500 ? 2 : 1;
  const cmd = pinned(clientCpu, [
    WRK,
    `-t${threads}`,
    `-c${connections}`,
    `-d${duration}s`,
    "--latency",
    "-s",
    script,
    `${url}/v1/completions`,
  ]);
  const out = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: "utf8" }).stdout;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const toMs = (m: RegExpExecArray | null) =>
    m === null ? Number.NaN : Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 }[m[2] as "us"] ?? 1);
  const errors = /Socket errors: (.*)/.exec(out)?.[1] ?? "none";
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    requests,
    rps,
    p50Ms: toMs(p50),
    p99Ms: toMs(/99%\s+([\d.]+)(us|ms|s)/.exec(out)),
    errors,
    non2xx,
  };
}

const dir = mkdtempSync(join(tmpdir(), "sim-capacity-"));
const results: (Case & ReturnType<typeof wrk> & { usPerReq: number })[] = [];
try {
  for (const c of cases) {
    const { child, url } = await startServer(c.simFlags);
    const cpuBefore = cpuSeconds(child.pid);
    const run = wrk(url, c.body, c.connections, dir);
    // Server CPU per request: robust when other processes share the cores, unlike req/s.
    const usPerReq = ((cpuSeconds(child.pid) - cpuBefore) / run.requests) * 1e6;
    results.push({ ...c, ...run, usPerReq });
    await stop(child);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const lines = [
  `server: ${isDeno ? "deno" : "bun"} on cpu ${hasTaskset ? serverCpu : "any"}; wrk on cpu ${hasTaskset ? clientCpu : "any"}; ${duration} s per row`,
  "",
  "| workload | connections | req/s | server CPU µs/req (→ req/s per core) | p50 ms (ideal) | p99 ms | errors |",
  "|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.connections} | ${r.rps.toFixed(0)} | ${r.usPerReq.toFixed(0)} (${(1e6 / r.usPerReq).toFixed(0)}) | ${r.p50Ms.toFixed(1)} (${r.idealMs}) | ${r.p99Ms.toFixed(1)} | ${r.errors === "none" && r.non2xx === 0 ? "none" : `${r.errors}; non-2xx ${r.non2xx}`} |`,
  ),
];
process.stderr.write(`${lines.join("\n")}\n`);
if (process.env.BENCH_JSON) process.stdout.write(`${JSON.stringify(results)}\n`);
