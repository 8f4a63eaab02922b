// A hub model's chat template: chat_template.jinja is fetched with tokenizer.json and wins over
// tokenizer_config.json's `chat_template`, as transformers' AutoTokenizer does; its absence is cached.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES } from "../data.testing.ts";
import { cacheModel, fakeHub } from "../hub.testing.ts";
import type { FetchLike } from "../hub.ts";
import { hubFile, knownAbsent } from "../hub-cache.ts";
import { chatTemplateOf } from "./chat-template.ts";
import { loadTokenizer } from "./load.ts";

const work = mkdtempSync(join(tmpdir(), "inferload-tok-hub-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const COMMIT = "89abcdef0123456789abcdef0123456789abcdef";
const TOKENIZER = readFileSync(`${FIXTURES}chat/tokenizer.json`, "utf8");
const CONFIG = readFileSync(`${FIXTURES}chat/tokenizer_config.json`, "utf8"); // a ChatML chat_template
const JINJA = "[{{ messages[0]['content'] }}]{{ eos_token }}";
const noNetwork: FetchLike = async () => {
  throw new TypeError("no network in this test");
};

/** The hub as it answers: every response, 404s too, names the commit main points at. */
function hubWith(repo: string, files: Record<string, string>) {
  const routes: Record<string, [number, string]> = {};
  for (const [file, body] of Object.entries(files)) routes[`/${repo}/resolve/main/${file}`] = [200, body];
  for (const [file, body] of Object.entries(files))
    routes[`/${repo}/resolve/${COMMIT}/${file}`] = [200, body];
  return fakeHub(routes, { "x-repo-commit": COMMIT });
}

describe("a Hugging Face model id's chat template", () => {
  test("chat_template.jinja is downloaded with the token, from tokenizer.json's commit, and wins over the config's", async () => {
    const hub = hubWith("acme/jinja", {
      "tokenizer.json": TOKENIZER,
      "tokenizer_config.json": CONFIG,
      "chat_template.jinja": JINJA,
    });
    const auth: (string | undefined)[] = [];
    const spy: FetchLike = (url, init) => {
      auth.push(init?.headers?.authorization);
      return hub(url, init);
    };
    const cacheDir = join(work, "with-jinja");
    const tok = await loadTokenizer(
      { pretrained_model_name_or_path: "acme/jinja" },
      { env: { HF_TOKEN: "hf_secret" }, cacheDir, fetch: spy },
    );
    expect(hub.calls).toEqual([
      "https://huggingface.co/acme/jinja/resolve/main/tokenizer.json",
      `https://huggingface.co/acme/jinja/resolve/${COMMIT}/tokenizer_config.json`,
      `https://huggingface.co/acme/jinja/resolve/${COMMIT}/chat_template.jinja`,
    ]);
    expect(auth).toEqual(["Bearer hf_secret", "Bearer hf_secret", "Bearer hf_secret"]);
    expect(tok.chatTemplate?.source).toBe(JINJA);
    // The config still names the special tokens the template uses.
    expect(chatTemplateOf(tok).render("hi")).toBe("[hi]<|im_end|>");
    const snapshot = join(cacheDir, "models--acme--jinja", "snapshots", COMMIT, "chat_template.jinja");
    expect(readFileSync(snapshot, "utf8")).toBe(JINJA);
  });

  test("without chat_template.jinja the config's template is used, and the 404 is remembered so no request repeats it", async () => {
    const hub = hubWith("acme/plain", { "tokenizer.json": TOKENIZER, "tokenizer_config.json": CONFIG });
    const cacheDir = join(work, "without-jinja");
    const tok = await loadTokenizer(
      { pretrained_model_name_or_path: "acme/plain" },
      { env: {}, cacheDir, fetch: hub },
    );
    expect(tok.chatTemplate?.source).toContain("<|im_start|>");
    expect(hub.calls.at(-1)).toBe(`https://huggingface.co/acme/plain/resolve/${COMMIT}/chat_template.jinja`);
    // huggingface_hub's marker, so either tool skips the request next time.
    expect(
      existsSync(join(cacheDir, "models--acme--plain", ".no_exist", COMMIT, "chat_template.jinja")),
    ).toBe(true);
    const f = { repo: "acme/plain", repoType: "model" as const, file: "chat_template.jinja" };
    expect(knownAbsent(cacheDir, f)).toBe(true);
    const again = await hubFile(f, { env: {}, cacheDir, fetch: noNetwork, what: "x", offlineHint: "y" });
    expect(again).toBeNull();
  });

  test("offline, a cached chat_template.jinja is used and the hub is not asked", async () => {
    const cacheDir = join(work, "offline-jinja");
    cacheModel(cacheDir, "acme/cached", {
      "tokenizer.json": TOKENIZER,
      "tokenizer_config.json": CONFIG,
      "chat_template.jinja": JINJA,
    });
    const hub = fakeHub({});
    const tok = await loadTokenizer(
      { pretrained_model_name_or_path: "acme/cached" },
      { env: { HF_HUB_OFFLINE: "1" }, cacheDir, fetch: hub },
    );
    expect(tok.chatTemplate?.source).toBe(JINJA);
    expect(hub.calls).toEqual([]);
  });

  test("offline, a cache without chat_template.jinja falls back to the config's template without an error", async () => {
    const cacheDir = join(work, "offline-plain");
    cacheModel(cacheDir, "acme/cached-plain", {
      "tokenizer.json": TOKENIZER,
      "tokenizer_config.json": CONFIG,
    });
    const hub = fakeHub({});
    const tok = await loadTokenizer(
      { pretrained_model_name_or_path: "acme/cached-plain" },
      { env: { HF_HUB_OFFLINE: "1" }, cacheDir, fetch: hub },
    );
    expect(tok.chatTemplate?.source).toContain("<|im_start|>");
    expect(hub.calls).toEqual([]);
  });

  test("a failure other than 404 on chat_template.jinja is said, nothing is remembered, and the config's template is used", async () => {
    const hub = fakeHub(
      {
        "/acme/flaky/resolve/main/tokenizer.json": [200, TOKENIZER],
        [`/acme/flaky/resolve/${COMMIT}/tokenizer_config.json`]: [200, CONFIG],
        [`/acme/flaky/resolve/${COMMIT}/chat_template.jinja`]: [503, "busy"],
      },
      { "x-repo-commit": COMMIT },
    );
    const notices: string[] = [];
    const cacheDir = join(work, "flaky");
    const tok = await loadTokenizer(
      { pretrained_model_name_or_path: "acme/flaky" },
      { env: {}, cacheDir, fetch: hub, log: { info: (m) => notices.push(m) } },
    );
    expect(tok.chatTemplate?.source).toContain("<|im_start|>");
    expect(notices.at(-1)).toStartWith('Cannot download "chat_template.jinja" of "acme/flaky": HTTP 503');
    expect(notices.at(-1)).toEndWith("going on without it");
    expect(existsSync(join(cacheDir, "models--acme--flaky", ".no_exist"))).toBe(false);
  });

  test("a 404 from an unknown repo (no commit anywhere) leaves no marker", async () => {
    const cacheDir = join(work, "unknown");
    const f = { repo: "acme/nothing", repoType: "model" as const, file: "chat_template.jinja" };
    const got = await hubFile(f, { env: {}, cacheDir, fetch: fakeHub({}), what: "x", offlineHint: "y" });
    expect(got).toBeNull();
    expect(existsSync(join(cacheDir, "models--acme--nothing"))).toBe(false);
  });
});
