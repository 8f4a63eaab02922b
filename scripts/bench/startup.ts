// Start-up benchmark: launch → first request byte at a server. A small OpenAI-shaped server (this
// process, 127.0.0.1) notes when the first completion request arrives; `inferload run` is spawned
// against it N times per variant, and the median launch → first byte is printed. With BASELINE set,
// the same variants run from another checkout too, interleaved run by run with this one (this box is
// shared and noisy, so only a comparison within one invocation means much), with the ratio.
//
//   bun scripts/bench/startup.ts                         # this checkout, from source; RUNS=15
//   BASELINE=../main bun scripts/bench/startup.ts        # and against another checkout
//   BIN=dist/inferload BASELINE=/tmp/old-inferload bun scripts/bench/startup.ts   # compiled binaries
//   env: BIN, BASELINE (a checkout folder, run from source, or a compiled binary), RUNS (15),
//        VARIANTS (comma-separated names below; default all), BENCH_JSON=1 (every time)
// On a shared, busy box, `chrt -f 10 bun scripts/bench/startup.ts` (root) runs it all at a real-time
// priority, which comes close to an idle machine's figures; the runs are short.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const RUNS = Number(process.env.RUNS ?? 15);
const bin = process.env.BIN === undefined ? null : resolve(process.env.BIN);
const baseline = process.env.BASELINE === undefined ? null : resolve(process.env.BASELINE);
const work = mkdtempSync(join(tmpdir(), "inferload-startup-"));

let firstRequestAt: number | null = null;
let launches = 0;
let modelsProbes = 0;

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === "/v1/models") {
    modelsProbes++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: [{ id: "bench-model", object: "model" }] }));
    return;
  }
  // The request line and headers have arrived: that is the first byte's arrival, give or take a read.
  firstRequestAt ??= performance.now();
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
  name: string;
  data: Record<string, unknown>;
  modelName: boolean;
}

const variants: Variant[] = [
  { name: "mock, model_name set", data: { type: "mock" }, modelName: true },
  { name: "mock, model from /v1/models", data: { type: "mock" }, modelName: false },
  {
    name: "random (default tokenizer), model_name set",
    data: {
      type: "random",
      input_distribution: { min: 10, max: 10, mean: 10, std_dev: 0 },
      output_distribution: { min: 1, max: 1, mean: 1, std_dev: 0 },
    },
    modelName: true,
  },
];
const chosen = process.env.VARIANTS?.split(",").map((s) => s.trim());

function configFor(variant: Variant): string {
  const path = join(work, `${variant.name.replace(/\W+/g, "-")}.json`);
  const config = {
    api: { type: "completion", streaming: false },
    data: variant.data,
    // One request, sent at once; one Worker as on a 1-CPU container.
    load: { type: "constant", stages: [{ rate: 1, duration: 1 }], num_workers: 1 },
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

const trees: Tree[] = [treeOf(bin ?? root), ...(baseline === null ? [] : [treeOf(baseline)])];

/** One launch: ms from spawn() to the first completion request's arrival. */
function launch(tree: Tree, config: string): Promise<number> {
  firstRequestAt = null;
  const [command, prefix] = tree.command;
  const started = performance.now();
  // A fresh report folder each time (a run refuses a folder that holds reports).
  const out = join(work, `reports-${++launches}`);
  const child = spawn(command, [...prefix, "run", "-c", config, "--quiet", "--output-dir", out], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((done, fail) => {
    child.on("exit", (code) => {
      if (code !== 0 || firstRequestAt === null) fail(new Error(`run exited ${code}: ${stderr}`));
      else done(firstRequestAt - started);
    });
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

console.error(
  `# start-up: ${trees.map((t) => t.name).join(" vs ")}, ${RUNS} runs per variant, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
const header =
  trees.length === 1
    ? "| variant | median ms | min ms | max ms |"
    : `| variant | ${trees.map((t) => `${t.name} median ms`).join(" | ")} | ratio |`;
const rows: string[] = [header, `|${"---|".repeat(header.split("|").length - 2)}`];
try {
  for (const variant of variants.filter((v) => chosen === undefined || chosen.includes(v.name))) {
    const config = configFor(variant);
    for (const tree of trees) await launch(tree, config); // warm the file cache; not counted
    modelsProbes = 0;
    const times: number[][] = trees.map(() => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [t, tree] of trees.entries()) times[t]!.push(await launch(tree, config));
    }
    const medians = times.map(median);
    const probes = modelsProbes > 0 ? ` (${modelsProbes} /v1/models probes)` : "";
    rows.push(
      trees.length === 1
        ? `| ${variant.name}${probes} | ${medians[0]!.toFixed(1)} | ${Math.min(...times[0]!).toFixed(1)} | ${Math.max(...times[0]!).toFixed(1)} |`
        : `| ${variant.name}${probes} | ${medians.map((m) => m.toFixed(1)).join(" | ")} | ${(medians[0]! / medians[1]!).toFixed(2)} |`,
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
