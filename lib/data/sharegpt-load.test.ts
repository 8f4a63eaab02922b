import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, failure } from "./data.testing.ts";
import type { FetchLike } from "./hub.ts";
import { loadShareGpt } from "./sharegpt-load.ts";

const work = mkdtempSync(join(tmpdir(), "inferload-sharegpt-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test("loadShareGpt() reads a file and reports how many rows it skipped", async () => {
  const loaded = await loadShareGpt(`${FIXTURES}sharegpt-sample.json`, { env: {} });
  expect(loaded.conversations.length).toBe(4);
  expect(loaded.skipped).toBe(7);
});

test("loadShareGpt() reads every .json and .jsonl file of a folder, in name order", async () => {
  const dir = join(work, "folder");
  mkdirSync(dir);
  copyFileSync(`${FIXTURES}sharegpt-sample.json`, join(dir, "a.json"));
  const row = {
    conversations: [
      { from: "human", value: "From the JSONL file?" },
      { from: "gpt", value: "Yes." },
    ],
  };
  writeFileSync(join(dir, "b.jsonl"), `${JSON.stringify(row)}\n`);
  writeFileSync(join(dir, "notes.txt"), "ignored");
  const loaded = await loadShareGpt(dir, { env: {} });
  expect(loaded.files.map((f) => f.slice(dir.length + 1))).toEqual(["a.json", "b.jsonl"]);
  expect(loaded.conversations.at(-1)?.human).toBe("From the JSONL file?");
});

test("loadShareGpt() without data.path fails clearly when the hub cannot be reached", async () => {
  const offline: FetchLike = async () => {
    throw new TypeError("fetch failed");
  };
  const error = await failure(loadShareGpt(null, { env: {}, cacheDir: join(work, "cache"), fetch: offline }));
  expect(error.message).toContain("ShareGPT_V3_unfiltered_cleaned_split.json");
  expect(error.message).toContain("fetch failed");
  expect(error.details.join(" ")).toContain("offline");
});

test("loadShareGpt() without data.path refuses to download under HF_HUB_OFFLINE=1", async () => {
  let called = false;
  const hub: FetchLike = async () => {
    called = true;
    return new Response("", { status: 500 });
  };
  const error = await failure(
    loadShareGpt(null, { env: { HF_HUB_OFFLINE: "1" }, cacheDir: work, fetch: hub }),
  );
  expect(error.details.join(" ")).toContain("set data.path");
  expect(called).toBe(false);
});

test.each([
  ["a file that is not JSON", "garbage.json", "hello\nworld", "not JSON or JSON lines"],
  ["a file with no usable conversation", "empty.json", "[{}]", "no usable conversation (1 rows skipped)"],
])("loadShareGpt() rejects %s", async (_label, name, text, message) => {
  const file = join(work, name);
  writeFileSync(file, text);
  expect((await failure(loadShareGpt(file, { env: {} }))).message).toContain(message);
});
