// SSE parsing and response reading per event, on a vLLM-shaped 20-token chat stream (22 events:
// role chunk, 20 content chunks, usage chunk, plus [DONE]). Run: bun scripts/bench/sse.bench.ts
// (BENCH_JSON=1 prints mitata's JSON). Divide by 23 events for the per-event cost.
import { bench, group, run } from "mitata";
import { createResponseReader } from "../../lib/api/response.ts";
import { defaultTokenizer } from "../../lib/data/tokenizer/default.ts";
import { createSseParser } from "../../lib/http/sse.ts";
import { createCollector } from "../../lib/metrics/collector.ts";
import type { RequestRecord } from "../../lib/metrics/record.ts";

const model = "meta-llama/Llama-3.1-8B-Instruct";
const chunk = (delta: object, usage: object | null = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model, choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: null }], usage })}\n\n`;
const events = [
  chunk({ role: "assistant", content: "" }),
  ...Array.from({ length: 20 }, (_, i) => chunk({ content: ` word${i}` })),
  chunk({}, { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 }),
  "data: [DONE]\n\n",
];
const encoder = new TextEncoder();
const whole = encoder.encode(events.join(""));
const perEvent = events.map((e) => encoder.encode(e));
const tokenizer = defaultTokenizer();
tokenizer.count("warm up");

function parseAll(chunks: readonly Uint8Array[]): number {
  let n = 0;
  const parser = createSseParser(() => n++);
  for (const c of chunks) parser.push(c);
  parser.end();
  return n;
}

function readAll(chunks: readonly Uint8Array[], withTokenizer: boolean): number {
  const reader = createResponseReader({
    streamed: true,
    apiType: "chat",
    tokenizer: withTokenizer ? tokenizer : null,
    countOutput: "always",
  });
  reader.onHeaders(200, 0);
  let at = 1;
  for (const c of chunks) reader.onData(c, at++);
  return reader.finish(at).tokenEventMs.length;
}

group("SSE parse only (23 events, 3.6 KB)", () => {
  bench("1 read", () => parseAll([whole]));
  bench("1 read per event", () => parseAll(perEvent));
});

group("response reader: parse + JSON.parse + usage", () => {
  bench("1 read, no tokenizer", () => readAll([whole], false));
  bench("1 read per event, no tokenizer", () => readAll(perEvent, false));
  bench("1 read per event, cl100k count at finish", () => readAll(perEvent, true));
});

// The main thread's cost per record: routing, 12 distributions, 19 ITL gaps for a 20-token stream.
const collector = createCollector({ config: { report: { request_lifecycle: {} } } });
collector.stageStarted({
  id: 0,
  kind: "rate",
  type: "constant",
  rate: 1,
  durationS: 1,
  concurrency: null,
  numRequests: 1,
  startMs: 0,
  endMs: 1,
  status: "completed",
});
const sample: RequestRecord = {
  stageId: 0,
  workerId: 0,
  index: 0,
  scheduledMs: 1000,
  sentMs: 1000.2,
  headersMs: 1010,
  endMs: 1250,
  tokenEventMs: Array.from({ length: 20 }, (_, i) => 1020 + i * 11.5),
  streamed: true,
  status: 200,
  failure: null,
  errorMessage: "",
  promptTokens: 100,
  promptTokensSource: "server",
  cachedPromptTokens: 0,
  clientOutputTokens: -1,
  serverOutputTokens: 20,
  requestBytes: 500,
  adapter: null,
};
group("collector", () => {
  bench("add() one 20-token record", () => collector.add(sample));
});

if (import.meta.main) await run(process.env.BENCH_JSON ? { format: "json" } : {});
