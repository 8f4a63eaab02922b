// The simulator's Anthropic Messages route and structured output, over real HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv from "ajv";
import { parseSse } from "../http/sse.ts";
import { type RunningSim, startSimOnFreePort } from "./start.ts";

let sim: RunningSim;
beforeAll(async () => {
  sim = await startSimOnFreePort({ prefillMs: 1, itlMs: 1, seed: 5 });
});
afterAll(() => sim.stop());

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const messages = [{ role: "user", content: "hello there" }];

/** Event names and parsed data of an SSE body. */
function events(body: string): { name: string; data: Record<string, unknown> }[] {
  const names = [...body.matchAll(/^event: (.*)$/gm)].map((m) => m[1] as string);
  return parseSse(body).map((data, i) => ({ name: names[i] ?? "", data: JSON.parse(data) }));
}

describe("POST /v1/messages", () => {
  test("streams Anthropic's events in order, with input tokens first and output tokens last", async () => {
    const response = await post("/v1/messages", {
      model: "sim-model",
      max_tokens: 6,
      stream: true,
      system: "Be brief",
      messages,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const list = events(await response.text());
    expect(list.map((e) => e.name)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      ...Array(6).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of list) expect(e.data.type).toBe(e.name);
    const start = list[0]!.data.message as { usage: { input_tokens: number } };
    expect(start.usage.input_tokens).toBeGreaterThan(2); // the system prompt counts too
    expect(list.at(-2)!.data).toMatchObject({
      delta: { stop_reason: "max_tokens" },
      usage: { output_tokens: 6 },
    });
    expect((list[3]!.data.delta as { type: string }).type).toBe("text_delta");
  });

  test("answers a non-streamed request with one message and its usage", async () => {
    const response = await post("/v1/messages", { model: "sim-model", max_tokens: 4, messages });
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: "message", role: "assistant", stop_reason: "max_tokens" });
    expect(body.usage).toMatchObject({ output_tokens: 4 });
    const [block] = body.content as { type: string; text: string }[];
    expect(block?.type).toBe("text");
    expect(block?.text.trim().split(" ")).toHaveLength(4);
  });

  test.each([
    ["no max_tokens", { model: "sim-model", messages }, 400, "invalid_request_error"],
    [
      "a system role inside messages",
      { model: "sim-model", max_tokens: 3, messages: [{ role: "system", content: "x" }] },
      400,
      "invalid_request_error",
    ],
    ["an unknown model", { model: "nope", max_tokens: 3, messages }, 404, "not_found_error"],
  ])("refuses %s with Anthropic's error shape", async (_name, body, status, type) => {
    const response = await post("/v1/messages", body);
    expect(response.status).toBe(status);
    const error = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(error.type).toBe("error");
    expect(error.error.type).toBe(type);
    expect(error.error.message.length).toBeGreaterThan(0);
  });
});

describe("response_format", () => {
  const schema = {
    type: "object",
    properties: {
      name: { type: "string" },
      age: { type: "integer" },
      tags: { type: "array", items: { type: "string" } },
    },
    required: ["name", "age", "tags"],
  };
  const validate = new Ajv({ strict: false }).compile(schema);
  const format = { type: "json_schema", json_schema: { name: "person", schema } };

  test("a chat completion's content satisfies the JSON schema and uses every token asked for", async () => {
    const response = await post("/v1/chat/completions", {
      model: "sim-model",
      messages,
      max_tokens: 50,
      ignore_eos: true,
      response_format: format,
    });
    const body = (await response.json()) as {
      choices: { message: { content: string } }[];
      usage: { completion_tokens: number };
    };
    expect(validate(JSON.parse(body.choices[0]!.message.content))).toBe(true);
    expect(body.usage.completion_tokens).toBe(50);
  });

  test("streamed completion chunks join into JSON that satisfies the schema", async () => {
    const response = await post("/v1/completions", {
      model: "sim-model",
      prompt: "a person",
      max_tokens: 40,
      ignore_eos: true,
      stream: true,
      response_format: format,
    });
    const text = parseSse(await response.text())
      .filter((d) => d !== "[DONE]")
      .map((d) => (JSON.parse(d) as { choices: { text: string }[] }).choices[0]?.text ?? "")
      .join("");
    expect(validate(JSON.parse(text))).toBe(true);
  });

  test("json_object gives a JSON object; too few tokens give a cut document", async () => {
    const ok = await post("/v1/chat/completions", {
      model: "sim-model",
      messages,
      max_tokens: 20,
      ignore_eos: true,
      response_format: { type: "json_object" },
    });
    const content = ((await ok.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message
      .content;
    expect(typeof JSON.parse(content)).toBe("object");
    const short = await post("/v1/chat/completions", {
      model: "sim-model",
      messages,
      max_tokens: 2,
      ignore_eos: true,
      response_format: format,
    });
    const cut = ((await short.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message
      .content;
    expect(() => JSON.parse(cut)).toThrow();
  });

  test("a malformed response_format is a 400 naming it", async () => {
    const response = await post("/v1/chat/completions", {
      model: "sim-model",
      messages,
      max_tokens: 5,
      response_format: { type: "json_schema" },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe("response_format");
  });
});
