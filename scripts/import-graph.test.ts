// What a `run` evaluates before its first request: the start-up work docs/PERFORMANCE.md "Start-up"
// measured away must not come back through a new static import.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { repoRoot } from "./compile.ts";
import { chainTo, staticGraph, staticImportsOf } from "./import-graph.ts";

const out = tempDirForTests("inferload-imports-");

/** Each thread of a run: its entry, and what it imports on the way to the first request. */
const threads = {
  main: ["cmd/main.ts", "cmd/run.ts", "lib/run/benchmark.ts"],
  load: ["lib/worker/entry.ts"],
  build: ["lib/worker/build-entry.ts"],
};

/** Modules a run with the defaults (and mock or random data) must not evaluate at its start. */
const rare = [
  "tinyglobby", // ~8 ms: trace globs of session replay
  "@huggingface/tokenizers", // ~2-6 ms: a configured tokenizer.json
  "mediabunny",
  "jpeg-js",
  "lib/media/pool.ts", // media data (lib/media/content.ts, the content parts, is not)
  "lib/media/image.ts",
  "lib/media/mp4.ts",
  "lib/sim/", // only without a server section
  "lib/data/hub-cache.ts",
  "lib/data/tokenizer/json.ts",
  "confbox/yaml", // js-yaml: read when the config is YAML, printed once the first stage has begun
  "confbox/toml", // smol-toml: a TOML config's
  "lib/config/print.ts",
  "@jmespath-community/jmespath", // circuit breakers' expressions (lib/run/circuit-breaker.ts)
];
/**
 * Also not on a Worker: dataset and trace readers (the main thread reads traces once), and the config
 * schema (the main thread checked the config; building the schemas costs a Worker ~2.5 ms).
 */
const rareOnWorkers = [
  "hyparquet",
  "csv-parse",
  "lib/data/dataset-source.ts",
  "lib/data/trace-csv.ts",
  "valibot",
  "lib/config/schema",
];

function closure(entries: readonly string[]): Map<string, string | null> {
  const all = new Map<string, string | null>();
  for (const entry of entries) for (const [m, by] of staticGraph(entry)) if (!all.has(m)) all.set(m, by);
  return all;
}

describe("the modules each thread of a run evaluates at its start", () => {
  test.each(Object.entries(threads))(
    "the %s thread's leave out what only some runs need",
    (name, entries) => {
      const graph = closure(entries);
      const forbidden = name === "main" ? rare : [...rare, ...rareOnWorkers];
      const found = [...graph.keys()].filter((m) => forbidden.some((f) => m === f || m.startsWith(f)));
      // Each chain names the import to make lazy.
      expect(found.map((m) => chainTo(graph, m).join(" → "))).toEqual([]);
      // The walker does follow the chains (so this can fail): what every run needs is there.
      const needed =
        name === "main"
          ? ["lib/config/schema.ts", "lib/worker/pool.ts"]
          : ["lib/data/mock.ts", "lib/data/random.ts"];
      for (const m of needed) expect(graph.has(m)).toBe(true);
      // confbox's index would bring every parser it has; each is imported by its own path.
      expect(graph.has("confbox")).toBe(false);
    },
  );
});

test("staticImportsOf() skips type-only imports and dynamic ones, and reads multi-line imports", () => {
  const text = [
    'import { a } from "./a.ts";',
    'import type { B } from "./b.ts";',
    "import {",
    "  c,",
    "  type D,",
    '} from "./c.ts";',
    'import "./side-effect.ts";',
    'export { e } from "./e.ts";',
    'export type { F } from "./f.ts";',
    'const g = await import("./g.ts");',
  ].join("\n");
  expect(staticImportsOf(text)).toEqual(["./a.ts", "./c.ts", "./side-effect.ts", "./e.ts"]);
});

// The compiled binary hoists every `import … from "node:x"` of its bundle (a package's too) to the
// top, so a costly built-in anywhere in a thread's bundle is loaded at that thread's every start.
test.each(Object.entries(threads))(
  "the %s thread's bundle loads no costly node: module at its start",
  (_name, entries) => {
    const entry = entries[0]!;
    const dir = join(out, entry.replaceAll("/", "_"));
    const built = spawnSync(
      process.execPath,
      ["build", entry, "--target", "bun", "--format", "esm", "--outdir", dir],
      { cwd: repoRoot, encoding: "utf8" },
    );
    expect(built.status).toBe(0);
    const file = entry.replace(/^.*\//, "").replace(/\.ts$/, ".js");
    const text = readFileSync(join(dir, file), "utf8");
    const builtins = new Set(
      [...text.matchAll(/^import [^;]*?from "([a-z_/:]+)";$/gm)].map(([, m]) => m!.replace(/^node:/, "")),
    );
    expect(builtins.size).toBeGreaterThan(0); // the pattern still finds the bundle's imports
    // 5-15 ms each at a cold start (docs/PERFORMANCE.md "Start-up"): taken on first use instead
    // (node:stream/web, ~1 ms, rather than node:stream). citty's node:util (~4 ms) stays.
    for (const costly of [
      "crypto",
      "http",
      "https",
      "net",
      "tls",
      "zlib",
      "child_process",
      "http2",
      "stream",
    ]) {
      expect([...builtins]).not.toContain(costly);
    }
  },
  60_000,
);
