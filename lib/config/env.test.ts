// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references are the subject here
import { describe, expect, test } from "bun:test";
import { interpolateEnv, interpolateString } from "./env.ts";

describe("interpolateString()", () => {
  test.each([
    ["Bearer ${KEY}", { KEY: "s3cret" }, "Bearer s3cret"],
    ["${HOST}:${PORT}", { HOST: "h", PORT: "80" }, "h:80"],
    ["${MISSING:-fallback}", {}, "fallback"],
    ["${EMPTY:-fallback}", { EMPTY: "" }, "fallback"],
    ["${EMPTY}", { EMPTY: "" }, ""],
    ["${SET:-fallback}", { SET: "x" }, "x"],
    ["$${KEY} stays literal", { KEY: "no" }, "${KEY} stays literal"],
    ["no references", {}, "no references"],
    ["$HOME is not a reference", { HOME: "/root" }, "$HOME is not a reference"],
  ])("%j with %j gives %j", (text, env, expected) => {
    expect(interpolateString(text, env)).toBe(expected);
  });
});

describe("interpolateEnv()", () => {
  test("replaces references in nested strings and leaves other values alone", () => {
    const input = {
      server: { api_key: "${KEY}", ignore_eos: true },
      load: { stages: [{ rate: 1 }] },
      list: ["${A}"],
    };
    const { value, missing } = interpolateEnv(input, { KEY: "k", A: "a" });
    expect(value).toEqual({
      server: { api_key: "k", ignore_eos: true },
      load: { stages: [{ rate: 1 }] },
      list: ["a"],
    });
    expect(missing).toEqual([]);
  });

  test("names every unset variable with the path that uses it", () => {
    const { missing } = interpolateEnv(
      { server: { base_url: "${URL}", api_key: "${KEY}" }, x: ["${URL}"] },
      {},
    );
    expect(missing).toEqual([
      { path: ["server", "base_url"], name: "URL" },
      { path: ["server", "api_key"], name: "KEY" },
      { path: ["x", 0], name: "URL" },
    ]);
  });

  test("does not change its input", () => {
    const input = { a: "${A}" };
    interpolateEnv(input, { A: "1" });
    expect(input).toEqual({ a: "${A}" });
  });
});
