// Compile the CLI into one standalone executable (dist/inferload) with every Worker entry included,
// then smoke-run it from another directory, where a wrong Worker path would show.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { commit } from "../lib/cli/version.ts";
import { workerEntries } from "../lib/runtime/worker-url.ts";

const root = resolve(import.meta.dirname, "..");
const outfile = join(root, "dist", "inferload");
const bun = process.execPath;

const args = [
  "build",
  "--compile",
  "cmd/main.ts",
  ...Object.values(workerEntries),
  "--outfile",
  outfile,
  "--define",
  `INFERLOAD_COMMIT=${JSON.stringify(commit())}`,
];
const build = spawnSync(bun, args, { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const elsewhere = mkdtempSync(join(tmpdir(), "inferload-build-"));
try {
  const smoke = spawnSync(outfile, ["doctor"], {
    cwd: elsewhere,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  process.stdout.write(smoke.stdout);
  process.stderr.write(smoke.stderr);
  if (smoke.status !== 0) {
    console.error(`Smoke test of ${outfile} failed with exit code ${smoke.status}`);
    process.exit(1);
  }
} finally {
  rmSync(elsewhere, { recursive: true, force: true });
}
