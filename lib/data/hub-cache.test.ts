import { afterAll, describe, expect, test } from "bun:test";
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, failure } from "./data.testing.ts";
import type { FetchLike } from "./hub.ts";
import { cachedHubFile, hubCacheDir, hubOffline, hubToken, repoFolder } from "./hub-cache.ts";
import { loadTokenizer } from "./tokenizer/load.ts";

const work = mkdtempSync(join(tmpdir(), "inferload-hfcache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const noNetwork: FetchLike = async () => {
  throw new TypeError("no network in this test");
};

/** A cache as huggingface_hub leaves it: refs/main → commit, snapshot file → blob (a symlink). */
function buildCache(cacheDir: string, repo: string): void {
  const root = join(cacheDir, `models--${repo.replace("/", "--")}`);
  mkdirSync(join(root, "refs"), { recursive: true });
  mkdirSync(join(root, "blobs"), { recursive: true });
  mkdirSync(join(root, "snapshots", COMMIT), { recursive: true });
  writeFileSync(join(root, "refs", "main"), COMMIT);
  copyFileSync(`${FIXTURES}tokenizer.json`, join(root, "blobs", "abc123"));
  symlinkSync("../../blobs/abc123", join(root, "snapshots", COMMIT, "tokenizer.json"));
}

describe("where the cache is", () => {
  test.each([
    [{ HF_HUB_CACHE: "/a/hub", HF_HOME: "/b" }, "/a/hub"],
    [{ HUGGINGFACE_HUB_CACHE: "/old" }, "/old"],
    [{ HF_HOME: "/b", XDG_CACHE_HOME: "/x" }, "/b/hub"],
    [{ XDG_CACHE_HOME: "/x" }, "/x/huggingface/hub"],
  ])("%p → %s", (env, dir) => {
    expect(hubCacheDir(env)).toBe(dir);
  });

  test("with nothing set it is ~/.cache/huggingface/hub", () => {
    expect(hubCacheDir({})).toEndWith("/.cache/huggingface/hub");
  });

  test.each([
    ["1", true],
    ["true", true],
    ["YES", true],
    ["on", true],
    ["0", false],
    ["", false],
  ])("HF_HUB_OFFLINE=%p is offline: %p", (value, offline) => {
    expect(hubOffline({ HF_HUB_OFFLINE: value })).toBe(offline);
  });

  test("the token comes from the config, HF_TOKEN, then the login file under HF_HOME", () => {
    const home = join(work, "home-token");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "token"), "hf_from_file\n");
    expect(hubToken({ HF_TOKEN: "hf_env", HF_HOME: home }, "hf_config")).toBe("hf_config");
    expect(hubToken({ HF_TOKEN: "hf_env", HF_HOME: home })).toBe("hf_env");
    expect(hubToken({ HF_HOME: home })).toBe("hf_from_file");
    expect(hubToken({ HF_HOME: join(work, "nowhere") })).toBeUndefined();
  });

  test("repo folders are named as huggingface_hub names them", () => {
    expect(repoFolder({ repo: "Qwen/Qwen3-VL-8B-Instruct", repoType: "model" })).toBe(
      "models--Qwen--Qwen3-VL-8B-Instruct",
    );
    expect(repoFolder({ repo: "lmarena-ai/VisionArena-Chat", repoType: "dataset" })).toBe(
      "datasets--lmarena-ai--VisionArena-Chat",
    );
  });
});

describe("a cache the Hugging Face tools filled", () => {
  test.each([
    ["HF_HUB_CACHE", (dir: string) => ({ HF_HUB_CACHE: dir }), (dir: string) => dir],
    ["HF_HOME", (dir: string) => ({ HF_HOME: dir }), (dir: string) => join(dir, "hub")],
    [
      "XDG_CACHE_HOME",
      (dir: string) => ({ XDG_CACHE_HOME: dir }),
      (dir: string) => join(dir, "huggingface", "hub"),
    ],
  ])("is found through %s with HF_HUB_OFFLINE=1 and no network", async (name, env, cacheOf) => {
    const dir = join(work, `found-${name}`);
    buildCache(cacheOf(dir), "acme/tiny");
    const tok = await loadTokenizer(
      { pretrained_model_name_or_path: "acme/tiny" },
      { env: { ...env(dir), HF_HUB_OFFLINE: "1" }, fetch: noNetwork },
    );
    expect(tok.name).toBe("acme/tiny");
    expect(tok.count("hear me speak")).toBeGreaterThan(0);
  });

  test("a revision given as a commit hash reads that snapshot", () => {
    const dir = join(work, "by-commit");
    buildCache(dir, "acme/tiny");
    const f = { repo: "acme/tiny", repoType: "model" as const, file: "tokenizer.json" };
    expect(cachedHubFile(dir, f, COMMIT)).toEndWith(`snapshots/${COMMIT}/tokenizer.json`);
    expect(cachedHubFile(dir, f, "v2")).toBeNull();
  });

  test("a missing file offline names the cache and what to do", async () => {
    const dir = join(work, "empty-cache");
    const error = await failure(
      loadTokenizer(
        { pretrained_model_name_or_path: "acme/absent" },
        { env: { HF_HUB_CACHE: dir, HF_HUB_OFFLINE: "1" }, fetch: noNetwork },
      ),
    );
    expect(error.message).toBe('Cannot load tokenizer "acme/absent": not in the cache');
    expect(error.details.join(" ")).toContain(join(dir, "models--acme--absent"));
  });
});

test("a download lands in the same layout (blob, snapshot link, refs/main), with the token, once", async () => {
  const dir = join(work, "downloaded");
  const body = readFileSync(`${FIXTURES}tokenizer.json`, "utf8");
  const calls: { url: string; auth: string | undefined }[] = [];
  const hub: FetchLike = async (url, init) => {
    calls.push({ url, auth: init?.headers?.authorization });
    if (!url.endsWith("/acme/tiny/resolve/main/tokenizer.json")) return new Response("", { status: 404 });
    return new Response(body, { headers: { "x-repo-commit": COMMIT, etag: '"deadbeef"' } });
  };
  const opts = { env: { HF_HUB_CACHE: dir, HF_TOKEN: "hf_secret" }, fetch: hub };
  await loadTokenizer({ pretrained_model_name_or_path: "acme/tiny" }, opts);
  expect(calls[0]).toEqual({
    url: "https://huggingface.co/acme/tiny/resolve/main/tokenizer.json",
    auth: "Bearer hf_secret",
  });
  const root = join(dir, "models--acme--tiny");
  expect(readFileSync(join(root, "refs", "main"), "utf8")).toBe(COMMIT);
  const link = join(root, "snapshots", COMMIT, "tokenizer.json");
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(readlinkSync(link)).toBe("../../blobs/deadbeef");
  expect(readFileSync(join(root, "blobs", "deadbeef"), "utf8")).toBe(body);
  const before = calls.length;
  await loadTokenizer(
    { pretrained_model_name_or_path: "acme/tiny" },
    { env: { HF_HUB_CACHE: dir, HF_HUB_OFFLINE: "1" }, fetch: noNetwork },
  );
  expect(calls.length).toBe(before);
});
