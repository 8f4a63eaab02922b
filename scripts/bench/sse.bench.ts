// SSE parsing, response reading and the collector's add(), on vLLM-shaped 20-token streams:
//  - chat: role chunk, 20 content chunks, finish chunk, usage chunk, [DONE] (24 events)
//  - completion: 20 text chunks, finish chunk, usage chunk, [DONE] (23 events)
// each fed in one read and in one read per event. Run: bun scripts/bench/sse.bench.ts
// (BENCH_JSON=1 prints mitata's JSON). Note `uptime` next to any number you quote: this box is shared.
import { bench, group, run } from "mitata";
import { createResponseReader } from "../../lib/api/response.ts";
import { defaultTokenizer } from "../../lib/data/tokenizer/default.ts";
import { createSseParser } from "../../lib/http/sse.ts";
import { createCollector } from "../../lib/metrics/collector.ts";
import type { RequestRecord } from "../../lib/metrics/record.ts";

const model = "meta-llama/Llama-3.1-8B-Instruct";
const usage = { prompt_tokens: 100, total_tokens: 120, completion_tokens: 20, prompt_tokens_details: null };
const sse = (value: object) => `data: ${JSON.stringify(value)}\n\n`;

// Shapes as vLLM's OpenAI server writes them (exclude_unset: no "usage" key on ordinary chunks).
const chatChunk = (delta: object, finish: string | null = null) =>
  sse({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
const chatEvents = [
  chatChunk({ role: "assistant", content: "" }),
  ...Array.from({ length: 20 }, (_, i) => chatChunk({ content: ` word${i}` })),
  chatChunk({ content: "" }, "stop"),
  sse({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model, choices: [], usage }),
  "data: [DONE]\n\n",
];
const textChunk = (text: string, finish: string | null = null) =>
  sse({
    id: "cmpl-1",
    object: "text_completion",
    created: 1,
    model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finish, stop_reason: null }],
  });
const completionEvents = [
  ...Array.from({ length: 20 }, (_, i) => textChunk(` word${i}`)),
  textChunk("", "length"),
  sse({ id: "cmpl-1", object: "text_completion", created: 1, model, choices: [], usage }),
  "data: [DONE]\n\n",
];

const encoder = new TextEncoder();
const streams = {
  chat: { whole: [encoder.encode(chatEvents.join(""))], perEvent: chatEvents.map((e) => encoder.encode(e)) },
  completion: {
    whole: [encoder.encode(completionEvents.join(""))],
    perEvent: completionEvents.map((e) => encoder.encode(e)),
  },
};
const tokenizer = defaultTokenizer();
tokenizer.count("warm up");

function parseAll(chunks: readonly Uint8Array[]): number {
  let n = 0;
  const parser = createSseParser(() => n++);
  for (const c of chunks) parser.push(c);
  parser.end();
  return n;
}

function readAll(
  chunks: readonly Uint8Array[],
  apiType: string,
  withTokenizer: boolean,
  exactParse = false,
): number {
  const reader = createResponseReader({
    streamed: true,
    apiType,
    tokenizer: withTokenizer ? tokenizer : null,
    countOutput: "always",
    exactParse,
  });
  reader.onHeaders(200, 0);
  let at = 1;
  for (const c of chunks) reader.onData(c, at++);
  const outcome = reader.finish(at);
  if (outcome.tokenEventMs.length !== 20 || outcome.serverOutputTokens !== 20) throw new Error("bad outcome");
  return outcome.tokenEventMs.length;
}

group("SSE parse only (chat, 24 events, 4.3 KB)", () => {
  bench("1 read", () => parseAll(streams.chat.whole));
  bench("1 read per event", () => parseAll(streams.chat.perEvent));
});

for (const apiType of ["chat", "completion"] as const) {
  group(`response reader, ${apiType} 20 tokens`, () => {
    bench("1 read, no tokenizer, exactParse (JSON.parse every event)", () =>
      readAll(streams[apiType].whole, apiType, false, true),
    );
    bench("1 read, no tokenizer", () => readAll(streams[apiType].whole, apiType, false));
    bench("1 read per event, no tokenizer", () => readAll(streams[apiType].perEvent, apiType, false));
    bench("1 read, cl100k count at finish", () => readAll(streams[apiType].whole, apiType, true));
    bench("1 read per event, cl100k count at finish", () =>
      readAll(streams[apiType].perEvent, apiType, true),
    );
  });
}

// The main thread's cost per record: routing, 12 distributions, 19 ITL gaps for a 20-token stream.
// 1,000 records into a fresh collector per iteration (so the sample never reaches the sketch
// switch and array growth is amortized as in a real run); divide by 1,000.
const stage = {
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
} as const;
const records: RequestRecord[] = Array.from({ length: 1000 }, (_, i) => ({
  stageId: 0,
  workerId: 0,
  index: i,
  scheduledMs: 1000 + i,
  sentMs: 1000.2 + i,
  headersMs: 1010 + i,
  endMs: 1250 + i + (i % 7),
  tokenEventMs: Array.from({ length: 20 }, (_, k) => 1020 + i + k * 11.5 + (k * i) % 3),
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
}));
group("collector", () => {
  bench("add() 1,000 20-token records (fresh collector)", () => {
    const collector = createCollector({ config: { report: { request_lifecycle: {} } } });
    collector.stageStarted(stage);
    for (const record of records) collector.add(record);
    return collector.counters.done;
  });
});

if (import.meta.main) await run(process.env.BENCH_JSON ? { format: "json" } : {});
