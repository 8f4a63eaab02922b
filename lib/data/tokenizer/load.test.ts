import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, failure } from "../data.testing.ts";
import { fakeHub } from "../hub.testing.ts";
import type { FetchLike } from "../hub.ts";
import { DEFAULT_TOKENIZER_NAME, defaultTokenizer } from "./default.ts";
import { loadTokenizer } from "./load.ts";

const FIXTURE = `${FIXTURES}tokenizer.json`;
const work = mkdtempSync(join(tmpdir(), "inferload-tok-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("loadTokenizer()", () => {
  test("without a configured tokenizer returns the built-in default and says so once", async () => {
    const notices: string[] = [];
    const tok = await loadTokenizer(null, { env: {}, log: { info: (m) => notices.push(m) } });
    expect(tok).toBe(defaultTokenizer());
    expect(notices.length).toBe(1);
    expect(notices[0]).toContain(DEFAULT_TOKENIZER_NAME);
  });

  test("loads a local tokenizer.json file", async () => {
    const tok = await loadTokenizer({ pretrained_model_name_or_path: FIXTURE }, { env: {} });
    expect(tok.name).toBe(FIXTURE);
    expect(tok.decode(tok.encode("Before we proceed any further"))).toBe("Before we proceed any further");
    expect(tok.specialIds).toEqual([656]);
    expect(tok.vocabSize).toBe(657);
  });

  test("loads a folder holding tokenizer.json", async () => {
    const dir = join(work, "model-folder");
    mkdirSync(dir, { recursive: true });
    copyFileSync(FIXTURE, join(dir, "tokenizer.json"));
    const tok = await loadTokenizer({ pretrained_model_name_or_path: dir }, { env: {} });
    expect(tok.count("hear me speak")).toBeGreaterThan(0);
  });

  test("reads the chat template from tokenizer_config.json, or a chat_template.jinja beside tokenizer.json", async () => {
    const chat = await loadTokenizer({ pretrained_model_name_or_path: `${FIXTURES}chat` }, { env: {} });
    expect(chat.chatTemplate?.source).toContain("<|im_start|>");
    expect(chat.chatTemplate?.tokens).toEqual({ eos_token: "<|im_end|>", pad_token: "<|endoftext|>" });
    const dir = join(work, "jinja-folder");
    mkdirSync(dir, { recursive: true });
    copyFileSync(`${FIXTURES}chat/tokenizer.json`, join(dir, "tokenizer.json"));
    copyFileSync(`${FIXTURES}chat/tokenizer_config.json`, join(dir, "tokenizer_config.json"));
    writeFileSync(join(dir, "chat_template.jinja"), "{{ messages[0].content }}");
    const jinja = await loadTokenizer({ pretrained_model_name_or_path: dir }, { env: {} });
    // transformers prefers the file to the config's field.
    expect(jinja.chatTemplate?.source).toBe("{{ messages[0].content }}");
    const none = await loadTokenizer({ pretrained_model_name_or_path: FIXTURE }, { env: {} });
    expect(none.chatTemplate).toBeUndefined();
  });

  test.each([
    [
      "a missing file",
      "./models/nope/tokenizer.json",
      'Cannot load tokenizer "./models/nope/tokenizer.json": file not found',
    ],
    [
      "a folder without tokenizer.json",
      `${FIXTURES.replace(/\/$/, "")}/..`,
      "the folder holds no tokenizer.json",
    ],
  ])("rejects %s", async (_label, path, message) => {
    const error = await failure(loadTokenizer({ pretrained_model_name_or_path: path }, { env: {} }));
    expect(error.message).toContain(message);
  });

  test.each([
    ["not JSON", "{ this is not json", "corrupt tokenizer.json"],
    ["JSON without a model", '{"version": "1.0"}', 'not a tokenizer.json (no "model" section)'],
    ["a model the library cannot build", '{"model": {"type": "NoSuchModel"}}', "invalid tokenizer.json"],
  ])("rejects a corrupt tokenizer.json: %s", async (_label, text, message) => {
    const file = join(work, `corrupt-${message.length}.json`);
    writeFileSync(file, text);
    const error = await failure(loadTokenizer({ pretrained_model_name_or_path: file }, { env: {} }));
    expect(error.message).toContain(message);
  });

  test("an unknown model id while offline fails with a clear message", async () => {
    const offline: FetchLike = async () => {
      throw new TypeError("Unable to connect. Is the computer able to access the url?");
    };
    const error = await failure(
      loadTokenizer(
        { pretrained_model_name_or_path: "acme/unknown-model" },
        { env: {}, cacheDir: work, fetch: offline },
      ),
    );
    expect(error.message).toContain('Cannot download "tokenizer.json" of "acme/unknown-model"');
    expect(error.details.join(" ")).toContain("offline");
  });

  test("HF_HUB_OFFLINE=1 refuses to download", async () => {
    const hub = fakeHub({});
    const error = await failure(
      loadTokenizer(
        { pretrained_model_name_or_path: "acme/x" },
        { env: { HF_HUB_OFFLINE: "1" }, cacheDir: work, fetch: hub },
      ),
    );
    expect(error.message).toContain("not in the cache");
    expect(hub.calls).toEqual([]);
  });

  test("a model id the hub does not know is reported as such", async () => {
    const error = await failure(
      loadTokenizer(
        { pretrained_model_name_or_path: "acme/missing" },
        { env: {}, cacheDir: work, fetch: fakeHub({}) },
      ),
    );
    expect(error.message).toContain("no such model on the Hugging Face hub");
  });

  test("a gated model without a token asks for tokenizer.token or HF_TOKEN", async () => {
    const hub = fakeHub({ "/tokenizer.json": [401, "unauthorized"] });
    const error = await failure(
      loadTokenizer({ pretrained_model_name_or_path: "acme/gated" }, { env: {}, cacheDir: work, fetch: hub }),
    );
    expect(error.details.join(" ")).toContain("HF_TOKEN");
  });

  test("downloads a hub tokenizer once, with the token, then uses the cached copy", async () => {
    const body = readFileSync(FIXTURE, "utf8");
    const hub = fakeHub({ "/acme/tiny/resolve/main/tokenizer.json": [200, body] });
    const headers: Record<string, string>[] = [];
    const spy: FetchLike = (url, init) => {
      headers.push(init?.headers ?? {});
      return hub(url, init);
    };
    const opts = { env: { HF_TOKEN: "hf_secret" }, cacheDir: join(work, "cache"), fetch: spy };
    const tok = await loadTokenizer({ pretrained_model_name_or_path: "acme/tiny" }, opts);
    expect(tok.count("hear me speak")).toBeGreaterThan(0);
    expect(hub.calls[0]).toBe("https://huggingface.co/acme/tiny/resolve/main/tokenizer.json");
    expect(headers[0]?.authorization).toBe("Bearer hf_secret");
    const callsAfterFirst = hub.calls.length;
    const again = await loadTokenizer(
      { pretrained_model_name_or_path: "acme/tiny" },
      { ...opts, env: { HF_HUB_OFFLINE: "1" } },
    );
    expect(again.count("hear me speak")).toBe(tok.count("hear me speak"));
    expect(hub.calls.length).toBe(callsAfterFirst);
  });
});
