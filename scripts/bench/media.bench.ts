// What one Worker spends to build a request of inference-perf's multimodal/mixed.yaml (a 1080p PNG, a
// 720p 32-frame MP4 and a 5 s WAV per request, ~0.4 MB of JSON) from the seeded media pool: the item,
// its JSON body, the body's UTF-8 bytes (what the socket gets) and the sequence hash over them. The
// same config without `multimodal` (32 random tokens of text) is the baseline. Also times the pool build.
// Run: bun scripts/bench/media.bench.ts (BENCH_JSON=1 prints mitata's JSON).
import { bench, group, run } from "mitata";
import { buildRequest } from "../../lib/api/request.ts";
import { loadConfig } from "../../lib/config/load.ts";
import { createDataGenerator } from "../../lib/data/create.ts";
import { defaultTokenizer } from "../../lib/data/tokenizer/default.ts";
import type { DataGenerator } from "../../lib/data/types.ts";
import { createRng } from "../../lib/load/rng.ts";
import { FNV_OFFSET, fnvString } from "../../lib/worker/fnv.ts";

const path = new URL("../../fixtures/configs/examples/multimodal/mixed.yaml", import.meta.url).pathname;
const facts = { env: {}, cpuCount: 1, now: new Date(0) };
const overrides = ["tokenizer=null", "load.base_seed=1"];
const { config } = await loadConfig({ path, ...facts, overrides });
const text = { ...config, data: { ...config.data, multimodal: null } };
const tokenizer = defaultTokenizer();
const make = (c: typeof config) => createDataGenerator(c, { tokenizer, rng: createRng(1), workerId: 0 });

const started = performance.now();
const mixed = await make(config);
const poolMs = performance.now() - started;
const plain = await make(text);
const sample = buildRequest(config, mixed.next(0), "m").body;
console.error(`pool build: ${poolMs.toFixed(0)} ms; body: ${(sample.length / 1024).toFixed(0)} KiB`);

const out = new Uint8Array(4 * 1024 * 1024);
const encoder = new TextEncoder();
let i = 0;
let sink = 0;
function build(gen: DataGenerator): void {
  const body = buildRequest(config, gen.next(i++), "m").body;
  sink ^= encoder.encodeInto(body, out).written;
  sink ^= fnvString(FNV_OFFSET, body);
}

group("build one request (item, JSON body, UTF-8 bytes, hash)", () => {
  bench("text only: mixed.yaml without multimodal", () => build(plain)).baseline(true);
  bench("mixed.yaml: 1080p PNG + 720p x 32 MP4 + 5 s WAV", () => build(mixed));
});

await run({ format: process.env.BENCH_JSON ? "json" : "mitata" });
if (sink === 0.5) console.log(sink);
