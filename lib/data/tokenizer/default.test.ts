import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { DEFAULT_TOKENIZER_NAME, defaultTokenizer } from "./default.ts";

describe("defaultTokenizer()", () => {
  test("returns the same instance on every call", () => {
    expect(defaultTokenizer()).toBe(defaultTokenizer());
    expect(defaultTokenizer().name).toBe(DEFAULT_TOKENIZER_NAME);
  });

  test("round-trips text through encode and decode", () => {
    const tok = defaultTokenizer();
    const text = "Shall I compare thee to a summer's day? héllo 日本語 🚀";
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  test("counts as many tokens as encode returns, and zero for empty text", () => {
    const tok = defaultTokenizer();
    for (const text of [
      "hello world",
      "  spaced   out  ",
      "a,b;c.d",
      "The quick brown fox jumps over the lazy dog.",
    ]) {
      expect(tok.count(text)).toBe(tok.encode(text).length);
    }
    expect(tok.count("")).toBe(0);
    expect(tok.encode("")).toEqual([]);
  });

  test("treats special-token text as plain text instead of throwing", () => {
    const tok = defaultTokenizer();
    const ids = tok.encode("<|endoftext|>");
    expect(ids.length).toBeGreaterThan(1);
    expect(tok.decode(ids)).toBe("<|endoftext|>");
  });
});

test("decoding a lone partial UTF-8 token does not corrupt the next decode", () => {
  const tok = defaultTokenizer();
  const ids = tok.encode("日本語");
  const partial = ids.find((id) => tok.decode([id]).includes("\uFFFD"));
  expect(partial).toBeDefined();
  tok.decode([partial as number]);
  expect(tok.decode(ids)).toBe("日本語");
});

test("the vocabulary size covers the ordinary ranks only", () => {
  expect(defaultTokenizer().vocabSize).toBe(100256);
});

test("importing the default tokenizer does not load its vocabulary, nor does counting known tokens; other text does", async () => {
  // A fresh process, so no other test has loaded it: mock-data runs must not pay for it.
  const script = `
    const started = process.cpuUsage();
    const { defaultTokenizer, vocabularyLoaded } = await import(${JSON.stringify(new URL("./default.ts", import.meta.url).href)});
    const tok = defaultTokenizer();
    const imported = process.cpuUsage(started);
    const known = [tok.count("1 2 3 4567"), tok.count("mock prompt 12"), vocabularyLoaded()];
    const n = tok.count("héllo wörld");
    const counted = process.cpuUsage(started);
    console.log(JSON.stringify({ known, n, loaded: vocabularyLoaded(), importMs: (imported.user + imported.system) / 1000, totalMs: (counted.user + counted.system) / 1000, size: tok.vocabSize }));
  `;
  const out = JSON.parse(spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout);
  expect(out.known).toEqual([8, 4, false]); // "1"," ","2"," ","3"," ","456","7"; "mock"," prompt"," ","12"
  expect(out.n).toBe(defaultTokenizer().count("héllo wörld"));
  expect(out.loaded).toBe(true);
  expect(out.size).toBe(100256);
  // Loading costs hundreds of ms of CPU; the import alone must be a small fraction of the whole.
  expect(out.importMs).toBeLessThan(out.totalMs / 4);
}, 30_000);
