// The compiled binary that tests run (the bare-rootfs container test, the GitHub Action test). Built
// with the build's own flags into .tmp/compiled/<hash of the sources>/inferload and reused until a
// source file changes, so only the first run after an edit pays the ~10 s compile. INFERLOAD_TEST_BIN
// names a binary to use instead (.ci/run passes dist/inferload, built moments before from this tree).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { buildFlags, compile, repoRoot } from "./compile.ts";

/** What goes into the binary: sources (not tests), the lockfile, and the build's own settings. */
function sourceHash(): string {
  const hash = createHash("sha256");
  const files = ["cmd", "lib"]
    .flatMap((dir) =>
      readdirSync(join(repoRoot, dir), { recursive: true, encoding: "utf8" }).map((f) => join(dir, f)),
    )
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".testing.ts"))
    .concat(["package.json", "package-lock.json", "scripts/compile.ts"])
    .sort();
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(repoRoot, file)))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

let cached: string | undefined;

export function compiledBinary(): string {
  if (cached !== undefined) return cached;
  const given = process.env.INFERLOAD_TEST_BIN;
  if (given !== undefined && given !== "") return (cached = given);
  const base = join(repoRoot, ".tmp", "compiled");
  const dir = join(base, sourceHash());
  const binary = join(dir, "inferload");
  if (!existsSync(binary)) {
    // Older builds are ~120 MB each: keep only the current one.
    rmSync(base, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const partial = join(dir, "inferload.partial");
    compile({ outfile: partial, optimize: buildFlags }, { quiet: true });
    renameSync(partial, binary);
    process.stderr.write(`compiled ${relative(repoRoot, binary)} for the tests\n`);
  }
  return (cached = binary);
}
