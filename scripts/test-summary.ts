// Runs `bun test` with the JUnit reporter and closes with the line CI reads: "N passed, N failed".
// Arguments are passed through to `bun test` (paths, --timeout, -t ...).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const dir = join(import.meta.dirname, "..", ".junit");
mkdirSync(dir, { recursive: true });
const xml = join(dir, `junit-${process.pid}.xml`);

const run = spawnSync(
  process.execPath,
  ["test", "--reporter=junit", `--reporter-outfile=${xml}`, ...process.argv.slice(2)],
  {
    stdio: "inherit",
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(xml)) {
  const head = /<testsuites\b[^>]*>/.exec(readFileSync(xml, "utf8"))?.[0] ?? "";
  const attr = (key: string) => Number(new RegExp(`\\b${key}="(\\d+)"`).exec(head)?.[1] ?? 0);
  failed = attr("failures");
  skipped = attr("skipped");
  passed = attr("tests") - failed - skipped;
  rmSync(xml, { force: true });
} else {
  failed = 1;
}
// A crashed runner with no failures recorded must still read as a failure.
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(run.status ?? 1);
