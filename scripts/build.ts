// Compile the CLI into one standalone executable (dist/inferload) with every Worker entry included,
// then smoke-run it from another directory, where a wrong Worker path would show.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFlags, compile, repoRoot } from "./compile.ts";

const outfile = join(repoRoot, "dist", "inferload");
try {
  compile({ outfile, optimize: buildFlags });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

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
