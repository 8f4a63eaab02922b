import { writeFileSync, readFileSync } from "node:fs";
import { startSimOnFreePort } from "./lib/sim/start.ts";
import { runCli } from "./cmd/main.ts";
const sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, faults: { rate500: 1 } });
writeFileSync("/tmp/x/c.json", JSON.stringify({
  api: { type: "completion", streaming: true }, server: { base_url: sim.url, model_name: "sim-model" },
  data: { type: "random", input_distribution: { min: 10, max: 10, mean: 10, std_dev: 0 }, output_distribution: { min: 4, max: 4, mean: 4, std_dev: 0 } },
  load: { type: "constant", num_workers: 2, interval: 0, base_seed: 1, stages: [{ rate: 40, duration: 2 }], circuit_breakers: ["server_errors"] },
  circuit_breakers: [{ name: "server_errors", metrics: { matches: ["error.error_type == 'HTTP Error 500'"] }, triggers: [{ type: "consecutive", threshold: 5 }] }],
  report: { request_lifecycle: { per_request: true } },
}));
const t0 = performance.now();
console.log(await runCli(["run", "-c", "/tmp/x/c.json", "--output-dir", "/tmp/x/out", "--overwrite", "--quiet"]), performance.now() - t0);
const pr = JSON.parse(readFileSync("/tmp/x/out/per_request_lifecycle_metrics.json", "utf8"));
const s0 = pr[0].start_time;
console.log(pr.length, pr.slice(0, 12).map((r: any) => [(r.start_time - s0).toFixed(3), (r.end_time - s0).toFixed(3), r.error?.kind]));
await sim.stop();
