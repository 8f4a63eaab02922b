import { defaultTokenizer } from "../data/tokenizer/default.ts";
import { handleGeneration } from "./generate.ts";
import { resolveSimOptions } from "./options.ts";
import { createSimState } from "./state.ts";

const state = createSimState(
  resolveSimOptions({ prefillMs: 0, itlMs: 0, prefillMsPerToken: 0, maxNumSeqs: 100000 }),
  { tokenizer: defaultTokenizer(), truth: null },
);
const fakeRes = () =>
  ({
    headersSent: false,
    destroyed: false,
    writeHead() {},
    end() {},
    write() {},
    flushHeaders() {},
    on() {},
  }) as never;
const body = JSON.stringify({
  model: "sim-model",
  prompt: "hello",
  max_tokens: 20,
  ignore_eos: true,
  stream: process.argv[2] === "stream",
});
const N = 20000;
for (let round = 0; round < 3; round++) {
  const t = performance.now();
  for (let i = 0; i < N; i++) await handleGeneration(state, "completion", body, fakeRes(), 0);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 5));
  console.log(((performance.now() - t) * 1000) / N, "µs/req", state.engine.stats().finished);
}
