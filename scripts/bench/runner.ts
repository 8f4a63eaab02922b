// `npm run bench`: run the mitata micro-benchmarks (scripts/bench/*.bench.ts), each in its own process
// so one's JIT state cannot colour another's, and print the machine's load next to them (these boxes
// are shared and noisy). Arguments filter by file name: `npm run bench -- sse data`.
// The end-to-end load benchmarks are separate, longer runs: `bun scripts/bench/load.ts [scenario]`
// and `bun scripts/bench/sim-capacity.ts` (docs/PERFORMANCE.md has the commands and results).
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { glob } from "tinyglobby";

const dir = import.meta.dirname;
const filters = process.argv.slice(2);
const files = (await glob("*.bench.ts", { cwd: dir }))
  .sort()
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
if (files.length === 0) {
  console.error(`No benchmark matches ${filters.map((f) => `"${f}"`).join(", ")}`);
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  console.error(`\n# ${file} (load average ${load})`);
  const result = spawnSync(process.execPath, [join(dir, file)], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
