import { afterEach, describe, expect, test } from "bun:test";
import { createRng } from "../../load/rng.ts";
import { type HttpRequest, type HttpResponse, type Listening, listen } from "../../runtime/serve.ts";
import { createDataGenerator } from "../create.ts";
import { dataConfig, failure, fixtureTokenizer } from "../data.testing.ts";
import { defaultTokenizer } from "./default.ts";
import { connectServerTokenizer } from "./server.ts";

// Stand-ins for each server's /tokenize, answering as the real one does (fields and their order, the
// status of a body it cannot read), counting with the fixture tokenizer, which disagrees with the
// built-in default used locally: exactness must come from the server's answers.
const served = fixtureTokenizer();
type Body = Record<string, unknown>;
type Reply = { status: number; json: unknown };
type Dialect = (body: Body) => Reply;

const ids = (text: string) => served.encode(text);
const dialects = {
  // vLLM: TokenizeCompletionRequest needs `prompt`; answers {count, max_model_len, tokens, token_strs}.
  vllm: (body) =>
    typeof body.prompt === "string"
      ? {
          status: 200,
          json: {
            count: ids(body.prompt).length,
            max_model_len: 4096,
            tokens: ids(body.prompt),
            token_strs: null,
          },
        }
      : {
          status: 400,
          json: { object: "error", message: "Field required: prompt", type: "BadRequestError", code: 400 },
        },
  // SGLang: the same request, fields in its own order, FastAPI's 422 for a missing field.
  sglang: (body) =>
    typeof body.prompt === "string"
      ? {
          status: 200,
          json: { tokens: ids(body.prompt), count: ids(body.prompt).length, max_model_len: 4096 },
        }
      : { status: 422, json: { detail: [{ loc: ["body", "prompt"], msg: "Field required" }] } },
  // llama.cpp reads `content` and answers {"tokens": []} when it is missing (the vLLM-shaped probe).
  llamacpp: (body) => ({
    status: 200,
    json: { tokens: typeof body.content === "string" ? ids(body.content) : [] },
  }),
  // TGI takes a generate request ({inputs}) and answers a bare array of tokens with offsets.
  tgi: (body) =>
    typeof body.inputs === "string"
      ? {
          status: 200,
          json: ids(body.inputs).map((id) => ({ id, text: served.decode([id]), start: 0, stop: 0 })),
        }
      : { status: 422, json: { error: "Failed to deserialize the JSON body: missing field `inputs`" } },
} satisfies Record<string, Dialect>;

let server: Listening | undefined;
let requests: Body[] = [];

/** Serve `dialect` at POST /tokenize on 127.0.0.1 (any free port); everything else is a 404. */
async function startTokenizeServer(dialect: Dialect): Promise<string> {
  requests = [];
  server = await listen(
    (req: HttpRequest, res: HttpResponse) => {
      if (req.method !== "POST" || req.url !== "/tokenize")
        return void res.writeHead(404).end('{"detail":"Not Found"}');
      const body = JSON.parse(req.body || "{}") as Body;
      requests.push(body);
      const reply = dialect(body);
      res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify(reply.json));
    },
    { host: "127.0.0.1", port: 0 },
  );
  return `http://127.0.0.1:${server.port}`;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const text = "Before we proceed any further, hear me speak.";

describe("connectServerTokenizer()", () => {
  test.each([
    ["vllm", "vllm", 1],
    ["sglang", "vllm", 1],
    ["llamacpp", "llamacpp", 2],
    ["tgi", "tgi", 3],
  ] as const)(
    "detects a %s /tokenize (as the %s shape, after %d probe) and counts exactly with it",
    async (name, shape, probes) => {
      const baseUrl = await startTokenizeServer(dialects[name]);
      const counter = await connectServerTokenizer({ baseUrl: `${baseUrl}/v1`, model: "m" });
      expect(counter.flavor).toBe(shape);
      expect(requests.length).toBe(probes);
      expect(await counter.count(text)).toBe(served.count(text));
      expect(requests.length).toBe(probes + 1);
    },
  );

  test.each([
    ["vllm", { model: "llama", prompt: "hi", add_special_tokens: false }],
    ["llamacpp", { content: "hi", add_special: false }],
    ["tgi", { inputs: "hi", add_special_tokens: false }],
  ] as const)("asks %s for the text without special tokens", async (name, body) => {
    const baseUrl = await startTokenizeServer(dialects[name]);
    await (await connectServerTokenizer({ baseUrl, model: "llama" })).count("hi");
    expect(requests.at(-1)).toEqual(body);
  });

  test("counts an empty text as 0 without asking the server", async () => {
    const baseUrl = await startTokenizeServer(dialects.vllm);
    const counter = await connectServerTokenizer({ baseUrl, model: "m" });
    const asked = requests.length;
    expect(await counter.count("")).toBe(0);
    expect(requests.length).toBe(asked);
  });

  test("refuses a server without /tokenize at start, naming the URL, the shapes expected and what came back", async () => {
    const baseUrl = await startTokenizeServer(() => ({ status: 404, json: { detail: "Not Found" } }));
    const error = await failure(connectServerTokenizer({ baseUrl, model: "m" }));
    expect(error.message).toContain(`POST ${baseUrl}/tokenize is not a known /tokenize endpoint`);
    expect(error.message).toContain('llama.cpp {"tokens": [ids]}');
    expect(error.message).toContain("TGI body {inputs, add_special_tokens} got HTTP 404");
  });

  test("refuses an unknown answer shape at start", async () => {
    const baseUrl = await startTokenizeServer(() => ({ status: 200, json: { ok: true, n: 5 } }));
    const error = await failure(connectServerTokenizer({ baseUrl, model: "m" }));
    expect(error.message).toContain('got HTTP 200 "{\\"ok\\":true,\\"n\\":5}"');
  });

  test("refuses a server that answers an empty token list for the probe text instead of counting 0", async () => {
    const baseUrl = await startTokenizeServer(() => ({ status: 200, json: { tokens: [] } }));
    const error = await failure(connectServerTokenizer({ baseUrl, model: "m" }));
    expect(error.message).toContain('llama.cpp body {content, add_special} got HTTP 200 "{\\"tokens\\":[]}"');
  });

  test("an empty token list for a non-empty text after detection is an error, not a count of 0", async () => {
    let calls = 0; // llama.cpp is detected by the second probe
    const baseUrl = await startTokenizeServer((body) =>
      ++calls <= 2 ? dialects.llamacpp(body) : { status: 200, json: { tokens: [] } },
    );
    const counter = await connectServerTokenizer({ baseUrl, model: "m" });
    const error = await failure(counter.count(text));
    expect(error.message).toContain(`answered an empty token list for a ${text.length}-character text`);
  });

  test("a failing server after detection is a UserError with its status and body", async () => {
    let calls = 0;
    const baseUrl = await startTokenizeServer((body) =>
      ++calls === 1 ? dialects.vllm(body) : { status: 500, json: { error: "boom" } },
    );
    const counter = await connectServerTokenizer({ baseUrl, model: "m" });
    expect((await failure(counter.count(text))).message).toContain('got HTTP 500 "{\\"error\\":\\"boom\\"}"');
  });
});

test("with use_server_tokenize, random prompts are exact under the server's count, not the local one", async () => {
  const baseUrl = await startTokenizeServer(dialects.llamacpp);
  const config = {
    ...dataConfig({
      type: "random",
      input_distribution: { type: "uniform", min: 20, max: 200, total_count: 8 },
      output_distribution: { type: "fixed", mean: 5, min: 5, max: 5, total_count: 8 },
    }),
    server: {
      type: "vllm",
      model_name: "m",
      base_url: baseUrl,
      ignore_eos: true,
      api_key: null,
      cert_path: null,
      key_path: null,
    },
    tokenizer: {
      pretrained_model_name_or_path: null,
      trust_remote_code: null,
      token: null,
      use_server_tokenize: true,
    },
  } as Parameters<typeof createDataGenerator>[0];
  const local = defaultTokenizer();
  const plain = await createDataGenerator(
    { ...config, tokenizer: null },
    { tokenizer: local, rng: createRng(1), workerId: 0 },
  );
  const gen = await createDataGenerator(config, {
    tokenizer: local,
    rng: createRng(1),
    workerId: 0,
    serverPoolSize: 8,
  });
  let localMismatches = 0;
  for (let i = 0; i < 8; i++) {
    const target = plain.next(i).expectedPromptTokens as number;
    const item = gen.next(i);
    expect(served.count(item.prompt)).toBe(target);
    expect(item.expectedPromptTokens).toBe(target);
    if (local.count(item.prompt) !== target) localMismatches++;
  }
  expect(localMismatches).toBeGreaterThan(0); // the two tokenizers really disagree
  expect(gen.next(8)).toEqual(gen.next(0)); // the pool (8 requests here) cycles
}, 30_000);
