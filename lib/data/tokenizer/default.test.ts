import { describe, expect, test } from "bun:test";
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
