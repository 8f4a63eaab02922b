// What the build flags do to the compiled binary: compiles the host binary once per variant (the
// build's own flags plus the variant's), then times start-up commands alternating between variants
// (the machine is shared and noisy, so each round runs every variant once) and prints size and
// median wall times, with ratios against the first variant.
// Usage: bun scripts/bench/binary-variants.ts [--rounds 15] [variant …]   (BENCH_JSON=1 for JSON)
// Variants are named by a part of their name ("plain" is always kept, as the baseline).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { compile, repoRoot } from "../compile.ts";

const roundsArg = process.argv.indexOf("--rounds");
const rounds = roundsArg >= 0 ? Number(process.argv[roundsArg + 1]) : 15;

const allVariants: Record<string, string[]> = {
  plain: [],
  "sourcemap none": ["--sourcemap=none"],
  minify: ["--minify"],
  "bytecode (esm)": ["--bytecode", "--format=esm"],
  "minify + bytecode (esm)": ["--minify", "--bytecode", "--format=esm"],
  "minify + bytecode + sourcemap": ["--minify", "--bytecode", "--format=esm", "--sourcemap=inline"],
  "minify + keep-names + bytecode": ["--minify", "--keep-names", "--bytecode", "--format=esm"],
  "minify + keep-names + bytecode + splitting": [
    "--minify",
    "--keep-names",
    "--bytecode",
    "--format=esm",
    "--splitting",
  ],
};

const wanted = process.argv.slice(2).filter((arg, i, all) => arg !== "--rounds" && all[i - 1] !== "--rounds");
const variants = Object.fromEntries(
  Object.entries(allVariants).filter(
    ([name], i) => i === 0 || wanted.length === 0 || wanted.some((part) => name.includes(part)),
  ),
);

const config = join(repoRoot, "fixtures", "configs", "quickstart.yaml");
const commands: Record<string, string[]> = {
  "--version": ["--version"],
  "validate -c quickstart.yaml": ["validate", "-c", config],
  "doctor (starts a Worker)": ["doctor"],
};

const dir = mkdtempSync(join(tmpdir(), "inferload-variants-"));
try {
  const built = Object.entries(variants).map(([name, flags], i) => {
    const outfile = join(dir, `inferload-${i}`);
    const started = performance.now();
    compile({ outfile, optimize: flags }, { quiet: true });
    return { name, outfile, buildS: (performance.now() - started) / 1000, bytes: statSync(outfile).size };
  });

  const times = new Map<string, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const [label, args] of Object.entries(commands)) {
      for (const variant of built) {
        const started = performance.now();
        const run = spawnSync(variant.outfile, args, { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
        const ms = performance.now() - started;
        if (run.status !== 0) throw new Error(`${variant.name} ${label} exited ${run.status}: ${run.stderr}`);
        const key = `${variant.name}\u0000${label}`;
        times.set(key, [...(times.get(key) ?? []), ms]);
      }
    }
  }

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  const baseline = built[0]!;
  const rows = built.map((variant) => {
    const medians = Object.keys(commands).map((label) => median(times.get(`${variant.name}\u0000${label}`)!));
    const base = Object.keys(commands).map((label) => median(times.get(`${baseline.name}\u0000${label}`)!));
    return { variant: variant.name, bytes: variant.bytes, buildS: variant.buildS, medians, base };
  });

  if (process.env.BENCH_JSON === "1") {
    process.stdout.write(
      `${JSON.stringify({ rounds, load: loadavg(), commands: Object.keys(commands), rows })}\n`,
    );
  } else {
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    console.log(
      `rounds: ${rounds}, load average after: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}`,
    );
    console.log(`| variant | size MB | ${Object.keys(commands).join(" | ")} |`);
    console.log(
      `|---|---|${Object.keys(commands)
        .map(() => "---|")
        .join("")}`,
    );
    for (const row of rows) {
      const cells = row.medians.map((ms, i) => `${ms.toFixed(1)} ms (${(ms / row.base[i]!).toFixed(2)}x)`);
      console.log(`| ${row.variant} | ${mb(row.bytes)} | ${cells.join(" | ")} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
