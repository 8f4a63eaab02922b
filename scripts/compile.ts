// The one `bun build --compile` invocation every build shares (dist/inferload, the release binaries,
// the binary the tests run): the CLI entry plus every Worker entry, the commit baked in, and nothing
// read from the directory the binary later runs in.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { commit } from "../lib/cli/version.ts";
import { workerEntries } from "../lib/runtime/worker-url.ts";

export const repoRoot = resolve(import.meta.dirname, "..");

export interface CompileOptions {
  outfile: string;
  /** A `bun build --target` for another platform (`bun-linux-arm64`); the host's when absent. */
  target?: string;
  /** Size and start-up flags: `buildFlags` for every binary we ship; others to measure them. */
  optimize?: readonly string[];
}

/**
 * Measured in docs/PERFORMANCE.md ("Binary size and start-up"): embedded bytecode (which needs ESM
 * output: the CLI has top-level await) skips parsing and starts in 0.4-0.7x the time; minifying
 * trims 1.8 MB and `--keep-names` keeps function names readable in a bug's stack trace at no cost.
 * Code splitting puts what the entries share in shared chunks and each lazily imported module in its
 * own, so a thread loads only the chunks it imports: 9 MB smaller, and every command and Worker
 * starts sooner. No sourcemap: +2.6 MB and no faster.
 */
export const buildFlags: readonly string[] = [
  "--minify",
  "--keep-names",
  "--bytecode",
  "--format=esm",
  "--splitting",
];

/** The argv after `bun`, pure so the build's shape is testable without compiling. */
export function compileArgs(options: CompileOptions, commitId: string): string[] {
  return [
    "build",
    "--compile",
    // Worker entries keep their path relative to the common root of all entries, which is why
    // lib/runtime/worker-url.ts owns both the list and the URLs (docs/runtime-facts.md §5).
    "cmd/main.ts",
    ...Object.values(workerEntries),
    "--outfile",
    options.outfile,
    ...(options.target === undefined ? [] : ["--target", options.target]),
    ...(options.optimize ?? []),
    // A benchmark must not change with the directory it is started in: a compiled Bun binary would
    // otherwise read ./.env and ./bunfig.toml from the working directory at start.
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    "--define",
    `INFERLOAD_COMMIT=${JSON.stringify(commitId)}`,
  ];
}

/** Compiles; throws with bun's exit status when the build fails (its output went to the terminal). */
export function compile(options: CompileOptions, io: { quiet?: boolean } = {}): void {
  const result = spawnSync(process.execPath, compileArgs(options, commit()), {
    cwd: repoRoot,
    stdio: io.quiet === true ? ["ignore", "ignore", "pipe"] : "inherit",
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(
      `bun build --compile${options.target === undefined ? "" : ` --target ${options.target}`} failed with exit code ${result.status}${result.stderr ? `:\n${result.stderr}` : ""}`,
    );
  }
}
