// SSE parsing, response reading and the collector's add(), on vLLM-shaped 20-token streams:
//  - chat: role chunk, 20 content chunks, finish chunk, usage chunk, [DONE] (24 events)
//  - completion: 20 text chunks, finish chunk, usage chunk, [DONE] (23 events)
// each fed in one read and in one read per event. Run: bun scripts/bench/sse.bench.ts
// (BENCH_JSON=1 prints mitata's JSON). Note `uptime` next to any number you quote: this box is shared.
// Before/after in one process: BASE=/tmp/base bun scripts/bench/sse.bench.ts, where /tmp/base holds
// an older lib/ (e.g. `git archive HEAD lib | tar -x -C /tmp/base`), adds a "base:" twin of every bench.
// On a busy box mitata's samples drift with the neighbours' load; MODE=loop instead runs every case
// in interleaved rounds (ROUNDS, default 7) of ITERS iterations and prints the min and median
// round in µs per iteration, so "base:" and current see the same load.
import { bench, group, run } from "mitata";
import * as current from "../../lib/api/response.ts";
import { defaultTokenizer } from "../../lib/data/tokenizer/default.ts";
import * as currentSse from "../../lib/http/sse.ts";
import { stageInfo } from "../../lib/load/stage.testing.ts";
import * as currentCollector from "../../lib/metrics/collector.ts";
import { record as makeRecord } from "../../lib/record/record.testing.ts";
import type { RequestRecord } from "../../lib/record/record.ts";

interface Impl {
  label: string;
  createResponseReader: typeof current.createResponseReader;
  createSseParser: typeof currentSse.createSseParser;
  createCollector: typeof currentCollector.createCollector;
}
const impls: Impl[] = [{ label: "", ...current, ...currentSse, ...currentCollector }];
const base = process.env.BASE;
if (base) {
  impls.push({
    label: "base: ",
    ...((await import(`${base}/lib/api/response.ts`)) as typeof current),
    ...((await import(`${base}/lib/http/sse.ts`)) as typeof currentSse),
    ...((await import(`${base}/lib/metrics/collector.ts`)) as typeof currentCollector),
  });
}

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

function parseAll(impl: Impl, chunks: readonly Uint8Array[]): number {
  let n = 0;
  const parser = impl.createSseParser(() => n++);
  for (const c of chunks) parser.push(c);
  parser.end();
  return n;
}

function readAll(
  impl: Impl,
  chunks: readonly Uint8Array[],
  apiType: string,
  withTokenizer: boolean,
  exactParse = false,
): number {
  const reader = impl.createResponseReader({
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

type Case = [name: string, fn: () => unknown];
const groups: [string, Case[]][] = [];

const sseCases: Case[] = [];
for (const impl of impls) {
  sseCases.push([`${impl.label}1 read`, () => parseAll(impl, streams.chat.whole)]);
  sseCases.push([`${impl.label}1 read per event`, () => parseAll(impl, streams.chat.perEvent)]);
}
groups.push(["SSE parse only (chat, 24 events, 4.3 KB)", sseCases]);

for (const apiType of ["chat", "completion"] as const) {
  const { whole, perEvent } = streams[apiType];
  const cases: Case[] = [];
  for (const impl of impls) {
    const l = impl.label;
    cases.push(
      [
        `${l}1 read, no tokenizer, exactParse (JSON.parse every event)`,
        () => readAll(impl, whole, apiType, false, true),
      ],
      [`${l}1 read, no tokenizer`, () => readAll(impl, whole, apiType, false)],
      [`${l}1 read per event, no tokenizer`, () => readAll(impl, perEvent, apiType, false)],
      [`${l}1 read, cl100k count at finish`, () => readAll(impl, whole, apiType, true)],
      [`${l}1 read per event, cl100k count at finish`, () => readAll(impl, perEvent, apiType, true)],
    );
  }
  groups.push([`response reader, ${apiType} 20 tokens`, cases]);
}

// The main thread's cost per record: routing, 12 distributions, 19 ITL gaps for a 20-token stream.
// 1,000 records into a fresh collector per iteration (so the sample never reaches the sketch
// switch and array growth is amortized as in a real run); divide by 1,000.
const stage = stageInfo(0, { endMs: 1 });
const records: RequestRecord[] = Array.from({ length: 1000 }, (_, i) =>
  makeRecord({
    index: i,
    scheduledMs: 1000 + i,
    sentMs: 1000.2 + i,
    headersMs: 1010 + i,
    endMs: 1250 + i + (i % 7),
    tokenEventMs: Array.from({ length: 20 }, (_, k) => 1020 + i + k * 11.5 + ((k * i) % 3)),
    clientOutputTokens: -1,
    serverOutputTokens: 20,
    requestBytes: 500,
  }),
);
const collectorCases: Case[] = impls.map((impl) => [
  `${impl.label}add() 1,000 20-token records (fresh collector)`,
  () => {
    const collector = impl.createCollector({ config: { report: { request_lifecycle: {} } } });
    collector.stageStarted(stage);
    for (const record of records) collector.add(record);
    return records.length;
  },
]);
groups.push(["collector", collectorCases]);

/** Interleaved rounds: every case runs once per round, so slow phases of a shared box hit all alike. */
function loop(rounds: number, iters: number): void {
  for (const [title, cases] of groups) {
    const scale = title === "collector" ? Math.max(1, Math.round(iters / 50)) : iters;
    const times = cases.map((): number[] => []);
    for (const [, fn] of cases) for (let i = 0; i < 1000; i++) fn(); // warm up
    for (let r = 0; r < rounds; r++) {
      cases.forEach(([, fn], k) => {
        const start = performance.now();
        for (let i = 0; i < scale; i++) fn();
        times[k]?.push(((performance.now() - start) * 1000) / scale);
      });
    }
    console.log(`• ${title}`);
    cases.forEach(([name], k) => {
      const sorted = (times[k] ?? []).sort((a, b) => a - b);
      const min = sorted[0] ?? Number.NaN;
      const median = sorted[sorted.length >> 1] ?? Number.NaN;
      console.log(
        `  ${name.padEnd(66)} min ${min.toFixed(2).padStart(8)} µs  median ${median.toFixed(2).padStart(8)} µs`,
      );
    });
  }
}

if (import.meta.main) {
  if (process.env.MODE === "loop") {
    loop(Number(process.env.ROUNDS ?? 7), Number(process.env.ITERS ?? 5000));
  } else {
    for (const [title, cases] of groups) {
      group(title, () => {
        for (const [name, fn] of cases) bench(name, fn);
      });
    }
    await run(process.env.BENCH_JSON ? { format: "json" } : {});
  }
}
