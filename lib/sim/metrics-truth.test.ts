// The simulator's /metrics against its own truth log, over the real wire: after a burst of streamed
// and non-streamed requests that queue for 2 slots (and one client that walks away), every counter
// equals the truth log's sum, and every latency histogram's sum equals the truth's to within the
// clock reads that separate them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { parsePrometheusText } from "./_prom-check.ts";
import { type RunningSim, startSimOnFreePort } from "./start.ts";
import type { TruthRecord } from "./truth-log.ts";

let sim: RunningSim;
const truths: TruthRecord[] = [];

beforeAll(async () => {
  sim = await startSimOnFreePort({ maxNumSeqs: 2, prefillMs: 5, itlMs: 2, onTruth: (r) => truths.push(r) });
});
afterAll(() => sim.stop());

async function completion(i: number): Promise<void> {
  const stream = i % 2 === 0;
  const res = await fetch(`${sim.url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "sim-model",
      prompt: `request ${i} `.repeat(1 + (i % 5)),
      max_tokens: 4 + (i % 7),
      stream,
    }),
  });
  await res.text();
}

test("counters equal the truth log's sums; histogram sums match its times", async () => {
  await Promise.all(Array.from({ length: 24 }, (_, i) => completion(i)));
  // One client gives up mid-stream: vLLM counts it under finished_reason="abort".
  const controller = new AbortController();
  const res = await fetch(`${sim.url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "sim-model",
      prompt: "x",
      max_tokens: 400,
      ignore_eos: true,
      stream: true,
    }),
    signal: controller.signal,
  });
  await (res.body as ReadableStream<Uint8Array>).getReader().read();
  controller.abort();
  const deadline = Date.now() + 5000;
  while (truths.length < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

  const samples = parsePrometheusText(await (await fetch(`${sim.url}/metrics`)).text());
  const value = (name: string, extra: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && Object.entries(extra).every(([k, v]) => s.labels[k] === v))?.value;
  const ok = truths.filter((t) => t.outcome === "ok");
  const sum = (f: (t: TruthRecord) => number) => ok.reduce((acc, t) => acc + f(t), 0);
  expect(ok).toHaveLength(24);

  for (const reason of ["stop", "length"]) {
    expect(value("vllm:request_success_total", { finished_reason: reason })).toBe(
      ok.filter((t) => t.finishReason === reason).length,
    );
  }
  expect(value("vllm:request_success_total", { finished_reason: "abort" })).toBe(1);
  expect(value("vllm:e2e_request_latency_seconds_count")).toBe(24);
  // Prompt tokens count when prefill is done, so the aborted request's count too.
  expect(value("vllm:prompt_tokens_total")).toBe(truths.reduce((acc, t) => acc + t.promptTokens, 0));
  expect(value("vllm:request_prompt_tokens_sum")).toBe(sum((t) => t.promptTokens));
  expect(value("vllm:request_generation_tokens_sum")).toBe(sum((t) => t.completionTokens));
  // Queue time is model time in both: exact.
  expect(value("vllm:request_queue_time_seconds_sum")).toBeCloseTo(sum((t) => t.queueMs) / 1000, 9);
  expect(sum((t) => t.queueMs)).toBeGreaterThan(0); // 24 requests on 2 slots did queue
  // TTFT and e2e: the engine's tick time vs the truth's write stamps, a few ms apart at most each.
  const slack = 24 * 0.005;
  expect(
    Math.abs(
      (value("vllm:time_to_first_token_seconds_sum") as number) -
        sum((t) => t.firstTokenMs - t.receivedMs) / 1000,
    ),
  ).toBeLessThan(slack);
  expect(
    Math.abs(
      (value("vllm:e2e_request_latency_seconds_sum") as number) -
        sum((t) => t.finishedMs - t.receivedMs) / 1000,
    ),
  ).toBeLessThan(slack);
  expect(value("vllm:num_requests_running")).toBe(0);
  expect(value("vllm:num_requests_waiting")).toBe(0);
});
