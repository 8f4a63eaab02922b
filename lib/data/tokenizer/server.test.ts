import { afterEach, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import { UserError } from "../../cli/errors.ts";
import { createRng } from "../../load/rng.ts";
import { createDataGenerator } from "../create.ts";
import { dataConfig, fixtureTokenizer } from "../data.testing.ts";
import { defaultTokenizer } from "./default.ts";
import { connectServerTokenizer } from "./server.ts";

// A stand-in for a model server's /tokenize that counts with the fixture tokenizer, which disagrees
// with the built-in default used locally: exactness must come from the server's answers.
type Flavor = "vllm" | "llamacpp" | "none";
const served = fixtureTokenizer();
let server: Server | undefined;
let requests: unknown[] = [];

async function startTokenizeServer(flavor: Flavor): Promise<string> {
  requests = [];
  const s = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const json = JSON.parse(body || "{}") as { prompt?: string; content?: string };
      requests.push(json);
      const ids = (text: string) => served.encode(text);
      if (req.url !== "/tokenize" || flavor === "none") return void res.writeHead(404).end("{}");
      if (flavor === "vllm" && typeof json.prompt === "string") {
        const tokens = ids(json.prompt);
        return void res
          .writeHead(200)
          .end(JSON.stringify({ count: tokens.length, tokens, max_model_len: 4096 }));
      }
      if (flavor === "llamacpp" && typeof json.content === "string") {
        return void res.writeHead(200).end(JSON.stringify({ tokens: ids(json.content) }));
      }
      res.writeHead(400).end(JSON.stringify({ error: "bad request" }));
    });
  });
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const ok = await new Promise<boolean>((resolve) => {
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (ok) {
      server = s;
      return `http://127.0.0.1:${port}`;
    }
  }
  throw new Error("No free port in 20000-32000");
}

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe("connectServerTokenizer()", () => {
  test.each(["vllm", "llamacpp"] as const)(
    "detects a %s /tokenize endpoint and counts with it",
    async (flavor) => {
      const baseUrl = await startTokenizeServer(flavor);
      const counter = await connectServerTokenizer({ baseUrl: `${baseUrl}/v1`, model: "m" });
      expect(counter.flavor).toBe(flavor);
      const text = "Before we proceed any further, hear me speak.";
      expect(await counter.count(text)).toBe(served.count(text));
    },
  );

  test("asks vLLM for the model and for no special tokens", async () => {
    const baseUrl = await startTokenizeServer("vllm");
    await (await connectServerTokenizer({ baseUrl, model: "llama" })).count("hi");
    expect(requests.at(-1)).toEqual({ model: "llama", prompt: "hi", add_special_tokens: false });
  });

  test("rejects a server without /tokenize with a UserError", async () => {
    const baseUrl = await startTokenizeServer("none");
    const error = await connectServerTokenizer({ baseUrl, model: "m" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain("is not a vLLM or llama.cpp /tokenize endpoint");
  });
});

test("with use_server_tokenize, random prompts are exact under the server's count, not the local one", async () => {
  const baseUrl = await startTokenizeServer("vllm");
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
