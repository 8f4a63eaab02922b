import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { defaultTokenizer } from "../data/tokenizer/default.ts";
import { encodeSolidImage } from "../media/image.ts";
import { parsePrometheusText } from "./_prom-check.ts";
import { rawRequest } from "./_raw-http.ts";
import { type RunningSim, startSimOnFreePort } from "./start.ts";
import type { TruthRecord } from "./truth-log.ts";

let sim: RunningSim;
const truths: TruthRecord[] = [];
const tokenizer = defaultTokenizer();
const PROMPT = "Shall I compare thee to a summer's day? Thou art more lovely and more temperate.";

/** The usage of a `completion`-token answer to PROMPT. */
function usageFor(completion: number) {
  return {
    prompt_tokens: tokenizer.count(PROMPT),
    completion_tokens: completion,
    total_tokens: tokenizer.count(PROMPT) + completion,
    // Earlier tests sent the same prompt: how much of it is cached depends on their order.
    prompt_tokens_details: { cached_tokens: expect.any(Number) },
  };
}

beforeAll(async () => {
  sim = await startSimOnFreePort({
    prefillMs: 2,
    itlMs: 1,
    loras: ["lora-a", "lora-b"],
    onTruth: (r) => truths.push(r),
  });
});
afterAll(() => sim.stop());

type Kind = "completion" | "chat";
const pathOf = (kind: Kind) => (kind === "chat" ? "/v1/chat/completions" : "/v1/completions");
function bodyOf(kind: Kind, extra: Record<string, unknown>): string {
  const input = kind === "chat" ? { messages: [{ role: "user", content: PROMPT }] } : { prompt: PROMPT };
  return JSON.stringify({ model: "sim-model", ...input, ...extra });
}
function post(path: string, body: string): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
}

/** Split an SSE body, checking the framing byte for byte: only `data: …\n\n` events, ending with [DONE]. */
function sseEvents(text: string): string[] {
  expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  expect(text.includes("\r")).toBe(false);
  const events = text.slice(0, -2).split("\n\n");
  for (const event of events) {
    expect(event.startsWith("data: ")).toBe(true);
    expect(event.includes("\n")).toBe(false);
  }
  expect(events.filter((e) => e === "data: [DONE]")).toHaveLength(1);
  return events.slice(0, -1).map((e) => e.slice("data: ".length));
}

describe("streamed responses", () => {
  test.each(["completion", "chat"] as const)(
    "%s: SSE framing, chunk shapes, finish_reason on the last token chunk, usage chunk",
    async (kind) => {
      const res = await post(
        pathOf(kind),
        bodyOf(kind, {
          max_tokens: 6,
          ignore_eos: true,
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toStartWith("text/event-stream");
      const chunks = sseEvents(new TextDecoder().decode(await res.arrayBuffer())).map((e) => JSON.parse(e));
      const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
      for (const c of chunks) {
        expect(Object.keys(c).slice(0, 4)).toEqual(["id", "object", "created", "model"]);
        expect(c).toMatchObject({ id: chunks[0].id, object, model: "sim-model" });
        expect(Number.isInteger(c.created)).toBe(true);
      }
      const usageChunk = chunks.at(-1);
      expect(usageChunk.choices).toEqual([]);
      const tokenChunks = chunks.slice(kind === "chat" ? 1 : 0, -1);
      expect(tokenChunks).toHaveLength(6);
      let text = "";
      for (const [i, c] of tokenChunks.entries()) {
        expect(c.usage).toBeNull();
        expect(c.choices).toHaveLength(1);
        const choice = c.choices[0];
        expect(choice.index).toBe(0);
        expect(choice.finish_reason).toBe(i === 5 ? "length" : null);
        const piece = kind === "chat" ? choice.delta.content : choice.text;
        if (kind === "chat") expect(Object.keys(choice.delta)).toEqual(["content"]);
        expect(tokenizer.count(piece)).toBe(1);
        text += piece;
      }
      if (kind === "chat") {
        expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
        expect(chunks[0].choices[0].finish_reason).toBeNull();
      }
      expect(tokenizer.count(text)).toBe(6);
      expect(usageChunk.usage).toEqual(usageFor(6));
    },
  );

  test.each(["completion", "chat"] as const)(
    "%s: without include_usage there is no usage chunk and no usage field",
    async (kind) => {
      const res = await post(pathOf(kind), bodyOf(kind, { max_tokens: 3, ignore_eos: true, stream: true }));
      const events = sseEvents(await res.text());
      expect(events).toHaveLength(kind === "chat" ? 4 : 3);
      for (const e of events) {
        const c = JSON.parse(e);
        expect("usage" in c).toBe(false);
        expect(c.choices).toHaveLength(1);
      }
    },
  );

  test("without ignore_eos the length is a seeded draw and finish_reason says which limit ended it", async () => {
    const res = await post(
      "/v1/completions",
      bodyOf("completion", { max_tokens: 400, stream: true, stream_options: { include_usage: true } }),
    );
    const chunks = sseEvents(await res.text()).map((e) => JSON.parse(e));
    const usage = chunks.at(-1).usage;
    expect(chunks.length - 1).toBe(usage.completion_tokens);
    expect(chunks.at(-2).choices[0].finish_reason).toBe(usage.completion_tokens < 400 ? "stop" : "length");
  });
});

describe("non-streamed responses", () => {
  test.each(["completion", "chat"] as const)("%s: shape and usage", async (kind) => {
    const res = await post(pathOf(kind), bodyOf(kind, { max_tokens: 5, ignore_eos: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = await res.json();
    expect(body).toMatchObject({
      object: kind === "chat" ? "chat.completion" : "text_completion",
      model: "sim-model",
    });
    expect(body.id).toStartWith(kind === "chat" ? "chatcmpl-" : "cmpl-");
    const choice = body.choices[0];
    expect(body.choices).toHaveLength(1);
    expect(choice.finish_reason).toBe("length");
    const text = kind === "chat" ? choice.message.content : choice.text;
    if (kind === "chat") expect(choice.message.role).toBe("assistant");
    expect(tokenizer.count(text)).toBe(5);
    expect(body.usage).toEqual(usageFor(5));
  });

  test("max_completion_tokens sets the chat output length", async () => {
    const body = await (
      await post("/v1/chat/completions", bodyOf("chat", { max_completion_tokens: 3, ignore_eos: true }))
    ).json();
    expect(body.usage.completion_tokens).toBe(3);
  });
});

describe("models, adapters and errors", () => {
  test("/v1/models lists the base model first, then each LoRA adapter", async () => {
    const body = await (await fetch(`${sim.url}/v1/models`)).json();
    expect(body.object).toBe("list");
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(["sim-model", "lora-a", "lora-b"]);
    expect(body.data[1]).toMatchObject({ object: "model", parent: "sim-model" });
  });

  test("a request for an adapter is served under its name and counted per adapter", async () => {
    const before = sim.stats().requestsByModel["lora-b"] ?? 0;
    const res = await post(
      "/v1/completions",
      JSON.stringify({ model: "lora-b", prompt: "hi", max_tokens: 2 }),
    );
    expect((await res.json()).model).toBe("lora-b");
    expect(sim.stats().requestsByModel["lora-b"]).toBe(before + 1);
  });

  test("an unknown model gets 404 with an OpenAI error body", async () => {
    const res = await post("/v1/completions", JSON.stringify({ model: "gpt-9", prompt: "hi" }));
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error).toMatchObject({ type: "NotFoundError", param: "model", code: 404 });
    expect(body.error.message).toContain("gpt-9");
  });

  test.each([
    ["/v1/completions", "{broken"],
    ["/v1/completions", '{"prompt":"x","max_tokens":-3}'],
    ["/v1/completions", '{"prompt":"x","n":3}'],
    ["/v1/chat/completions", '{"messages":"hello"}'],
    ["/v1/completions", '{"prompt":"x","max_tokens":40000}'],
  ])("%s with %s gets 400 with an OpenAI error body", async (path, body) => {
    const res = await post(path, body);
    expect(res.status).toBe(400);
    const json = await res.json();
    expect(Object.keys(json.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(json.error.code).toBe(400);
  });

  test("unknown routes get 404 and wrong methods 405, both as JSON errors", async () => {
    const missing = await fetch(`${sim.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.type).toBe("NotFoundError");
    const wrong = await fetch(`${sim.url}/v1/completions`);
    expect(wrong.status).toBe(405);
    expect((await wrong.json()).error).toBeDefined();
  });

  test("/health answers 200 and /tokenize counts with the same tokenizer", async () => {
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    const body = await (await post("/tokenize", JSON.stringify({ prompt: PROMPT }))).json();
    expect(body.count).toBe(tokenizer.count(PROMPT));
    expect(body.tokens).toEqual(tokenizer.encode(PROMPT));
  });
});

describe("/metrics and the truth log", () => {
  test("/metrics is valid Prometheus text and counts what was served, an adapter's under the base model", async () => {
    const before = parsePrometheusText(await (await fetch(`${sim.url}/metrics`)).text());
    const count = (samples: typeof before, name: string, model: string) =>
      samples.find((s) => s.name === name && s.labels.model_name === model)?.value ?? Number.NaN;
    const delta = (after: typeof before, name: string) =>
      count(after, name, "sim-model") - count(before, name, "sim-model");
    await (
      await post(
        "/v1/completions",
        JSON.stringify({
          model: "lora-a",
          prompt: "one two three",
          max_tokens: 4,
          ignore_eos: true,
          stream: true,
        }),
      )
    ).text();
    const res = await fetch(`${sim.url}/metrics`);
    expect(res.headers.get("content-type")).toStartWith("text/plain");
    const after = parsePrometheusText(await res.text());
    // As vLLM: every request counts under the served (base) model name; adapters have no series.
    expect(delta(after, "vllm:generation_tokens_total")).toBe(4);
    expect(delta(after, "vllm:prompt_tokens_total")).toBe(tokenizer.count("one two three"));
    expect(delta(after, "vllm:time_to_first_token_seconds_count")).toBe(1);
    expect(delta(after, "vllm:inter_token_latency_seconds_count")).toBe(3);
    expect(after.some((s) => s.name.startsWith("vllm:") && s.labels.model_name === "lora-a")).toBe(false);
    expect(count(after, "inferload_sim_requests_total", "lora-a")).toBe(
      sim.stats().requestsByModel["lora-a"] as number,
    );
    for (const name of [
      "vllm:num_requests_running",
      "vllm:num_requests_waiting",
      "vllm:kv_cache_usage_perc",
      "vllm:e2e_request_latency_seconds_sum",
      "vllm:request_success_total",
    ]) {
      expect(after.some((s) => s.name === name)).toBe(true);
    }
  });

  test("truth records carry ordered server timestamps on the client's clock", async () => {
    truths.length = 0;
    const sent = performance.timeOrigin + performance.now();
    const res = await post(
      "/v1/completions",
      bodyOf("completion", { max_tokens: 5, ignore_eos: true, stream: true }),
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let firstChunkAt = Number.NaN;
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      if (Number.isNaN(firstChunkAt)) firstChunkAt = performance.timeOrigin + performance.now();
    }
    const t = truths.find((r) => r.stream && r.kind === "completion") as TruthRecord;
    expect(t).toMatchObject({
      outcome: "ok",
      status: 200,
      completionTokens: 5,
      finishReason: "length",
      fault: "none",
    });
    expect(t.tokenMs).toHaveLength(5);
    expect(sent).toBeLessThanOrEqual(t.receivedMs);
    expect(t.receivedMs).toBeLessThanOrEqual(t.admittedMs);
    expect(t.headersMs).toBeLessThanOrEqual(t.firstTokenMs);
    expect(t.firstTokenMs).toBe(t.tokenMs[0] as number);
    for (let i = 1; i < 5; i++)
      expect(t.tokenMs[i] as number).toBeGreaterThanOrEqual(t.tokenMs[i - 1] as number);
    expect(t.finishedMs).toBeGreaterThanOrEqual(t.tokenMs[4] as number);
    // The client can only see a token after the server wrote it: same clock, so this always holds.
    expect(firstChunkAt).toBeGreaterThanOrEqual(t.headersMs);
  });

  test("a client that disconnects mid-stream frees its slot and is counted as aborted", async () => {
    const before = sim.stats().cancelled;
    const abort = new AbortController();
    const res = await fetch(`${sim.url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bodyOf("completion", { max_tokens: 5000, ignore_eos: true, stream: true }),
      signal: abort.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(sim.stats().running).toBe(1);
    abort.abort();
    for (let i = 0; i < 100 && sim.stats().running > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sim.stats().running).toBe(0);
    expect(sim.stats().cancelled).toBe(before + 1);
    expect(truths.at(-1)?.outcome).toBe("client_closed");
  });

  test("keeps a keep-alive connection open after a streamed response by default", async () => {
    const raw = await rawRequest(
      sim.url,
      "/v1/completions",
      bodyOf("completion", { max_tokens: 2, stream: true }),
      { graceMs: 300 },
    );
    expect(raw.status).toBe(200);
    expect(raw.complete).toBe(true);
    expect(raw.closedByServer).toBe(false);
  });
});

describe("prefix cache", () => {
  const long = `${PROMPT} `.repeat(8);
  const cached = async (content: unknown) => {
    const body = JSON.stringify({
      model: "sim-model",
      messages: [{ role: "user", content }],
      max_tokens: 1,
    });
    return (await (await post("/v1/chat/completions", body)).json()).usage.prompt_tokens_details
      .cached_tokens as number;
  };

  test("a repeated prompt is served from the cache in whole 16-token blocks; one carrying an image never is", async () => {
    await cached(`${long} first`);
    const hit = await cached(`${long} second`);
    expect(hit).toBeGreaterThan(0);
    expect(hit % 16).toBe(0);
    const png = Buffer.from(encodeSolidImage(8, 8, [1, 2, 3], "png")).toString("base64");
    const withImage = [
      { type: "text", text: `${long} third` },
      { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
    ];
    expect(await cached(withImage)).toBe(0);
    expect(await cached(withImage)).toBe(0);
  });
});
