import { test } from "bun:test";
import { writeFileSync } from "node:fs";
import { configFromObject } from "../config/load.ts";
import { openRunner } from "../run/runner.ts";
import { startSimOnFreePort } from "../sim/start.ts";
import { probeStage } from "./plan.ts";
test("dump", async () => {
  const sim = await startSimOnFreePort({ maxNumSeqs: 8, prefillMs: 20, prefillMsPerToken: 0, itlMs: 2 });
  const config = configFromObject({ api: { type: "completion", streaming: true }, server: { base_url: sim.url, model_name: "sim-model", ignore_eos: true }, data: { type: "mock" }, load: { type: "constant", num_workers: 2, base_seed: 7, sweep: { type: "linear" } } }, { cpuCount: 2, now: new Date(0) }).config;
  const recs: any[] = [];
  const runner = await openRunner({ config, model: "sim-model", onRecord: () => {} });
  const c = new AbortController(); setTimeout(() => c.abort(), 4100);
  const run = await runner.runStage(probeStage({ type: "linear", num_requests: 5000, timeout: 4, num_stages: 3, stage_duration: 1, saturation_percentile: 95 }), { signal: c.signal, hardSignal: c.signal, onRecord: (r) => recs.push(r) });
  writeFileSync(process.env.OUT ?? "/tmp/probe.json", JSON.stringify({ start: run.info.startMs, recs: recs.filter((r) => r.failure === null).map((r) => [r.sentMs - run.info.startMs, r.endMs - run.info.startMs, r.serverOutputTokens]) }));
  runner.close(); await sim.stop();
}, 30000);
