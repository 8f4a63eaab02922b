// Client-side output token counting (lib/api/output-count.ts) against counting the whole text at
// once, as the reader did before. Run: bun scripts/bench/output-count.bench.ts (BENCH_JSON=1 for JSON).
// The encoder's merge cache is cleared before every call, as a server's text is new each time.
import { clearMergeCache } from "gpt-tokenizer/encoding/cl100k_base";
import { bench, do_not_optimize, group, run } from "mitata";
import { countInSegments, createOutputCounter } from "../../lib/api/output-count.ts";
import { SHAKESPEARE_CORIOLANUS } from "../../lib/data/assets/shakespeare.ts";
import { defaultTokenizer } from "../../lib/data/tokenizer/default.ts";

const tokenizer = defaultTokenizer();

/** Letters in no pattern and no space: one pre-token, the encoder's worst case. */
function noSpaces(chars: number): string {
  let seed = 12345;
  let text = "";
  for (let i = 0; i < chars; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    text += String.fromCharCode(97 + (Math.floor(seed / 65536) % 26));
  }
  return text;
}

const prose = SHAKESPEARE_CORIOLANUS.slice(0, 64 * 1024);
const letters64k = noSpaces(64 * 1024);
const letters256k = noSpaces(256 * 1024);

function counted(text: string): number {
  const counter = createOutputCounter(tokenizer);
  counter.add(text);
  return counter.count();
}

for (const [name, text] of [
  ["64 KiB of English prose", prose],
  ["64 KiB of letters without spaces", letters64k],
] as const) {
  group(name, () => {
    bench("whole text (before)", () => {
      clearMergeCache();
      do_not_optimize(tokenizer.count(text));
    }).baseline(true);
    bench("in segments (output-count.ts)", () => {
      clearMergeCache();
      do_not_optimize(counted(text));
    });
  });
}

group("256 KiB of letters without spaces (the whole text took 49 s)", () => {
  bench("in segments (output-count.ts)", () => {
    clearMergeCache();
    do_not_optimize(countInSegments(tokenizer, letters256k, 512));
  });
});

await run({ format: process.env.BENCH_JSON ? "json" : "mitata" });
