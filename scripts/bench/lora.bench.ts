// The LoRA picker on the worker's hot path (one call per request): 3 adapters (linear scan) and 100
// adapters (binary search), against the RNG draw alone. Run: bun scripts/bench/lora.bench.ts
// (BENCH_JSON=1 prints mitata's JSON).
import { bench, do_not_optimize, group, run } from "mitata";
import { createLoraPicker } from "../../lib/load/lora.ts";
import { createRng } from "../../lib/load/rng.ts";

const three = [
  { name: "movie", split: 0.5 },
  { name: "consumer", split: 0.3 },
  { name: "legal", split: 0.2 },
];
const hundred = Array.from({ length: 100 }, (_, i) => ({ name: `adapter-${i}`, split: 0.01 }));

group("per request", () => {
  const rng = createRng(1);
  bench("rng.next() alone", () => do_not_optimize(rng.next()));
  const pick3 = createLoraPicker(three, createRng(1));
  bench("pick among 3 adapters", () => do_not_optimize(pick3()));
  const pick100 = createLoraPicker(hundred, createRng(1));
  bench("pick among 100 adapters", () => do_not_optimize(pick100()));
});

await run({ format: process.env.BENCH_JSON ? "json" : "mitata" });
