// `npm run build:release [-- linux-x64 …]`: cross-compile the release binaries into dist/release/
// (one per row of scripts/release-targets.ts, or those whose asset name contains a filter), check each
// file's header says the platform it was built for, smoke-run the one this machine can run from
// another directory, and write SHA256SUMS. Bun downloads each foreign target's runtime from the npm
// registry once (~35 MB each, cached under ~/.bun/install/cache), so the first full build needs the
// network and a few minutes; it is not part of `npm test` or .ci/run (the release workflow runs it).
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isUserError } from "../lib/cli/errors.ts";
import { describeExecutable, headBytes, platformMismatch } from "./binary-format.ts";
import { buildFlags, compile, repoRoot } from "./compile.ts";
import { type ReleaseTarget, selectTargets } from "./release-targets.ts";
import { writeSha256Sums } from "./sha256sums.ts";

const outDir = join(repoRoot, "dist", "release");

function readHead(path: string): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(headBytes);
    return head.subarray(0, readSync(fd, head, 0, headBytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** The target this machine runs natively: the one whose header matches the running Bun's own. */
function hostTarget(targets: readonly ReleaseTarget[]): ReleaseTarget | undefined {
  const host = describeExecutable(readHead(process.execPath));
  return targets.find((t) => platformMismatch(t, host) === null);
}

function smokeRun(path: string): void {
  const elsewhere = mkdtempSync(join(tmpdir(), "inferload-release-"));
  try {
    for (const args of [["--version"], ["doctor"]]) {
      const run = spawnSync(path, args, {
        cwd: elsewhere,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      process.stdout.write(run.stdout);
      if (run.status !== 0) throw new Error(`${path} ${args.join(" ")} exited ${run.status}:\n${run.stderr}`);
    }
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
}

async function main(filters: readonly string[]): Promise<void> {
  const targets = selectTargets(filters);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const target of targets) {
    const outfile = join(outDir, target.asset);
    console.log(`# ${target.asset} (${target.bunTarget})`);
    compile({ outfile, target: target.bunTarget, optimize: buildFlags });
    const mismatch = platformMismatch(target, describeExecutable(readHead(outfile)));
    if (mismatch !== null) throw new Error(mismatch);
  }
  const native = hostTarget(targets);
  if (native === undefined) console.log("No target runs natively here: smoke run skipped");
  else smokeRun(join(outDir, native.asset));
  const digests = await writeSha256Sums(
    outDir,
    targets.map((t) => t.asset),
  );
  for (const { name, sha256 } of digests) {
    const mb = (statSync(join(outDir, name)).size / 1e6).toFixed(1);
    console.log(`${sha256}  ${name}  ${mb} MB`);
  }
  console.log(`Wrote ${targets.length} binaries and SHA256SUMS to ${outDir}`);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // Build failures are reported by bun above; the message says which step stopped.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(isUserError(error) ? 2 : 1);
}
