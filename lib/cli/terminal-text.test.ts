import { describe, expect, test } from "bun:test";
import { escapeControl } from "./terminal-text.ts";

describe("escapeControl()", () => {
  test.each([
    ["plain text", "plain text"],
    ["\x1b[2J\x1b[Hcleared", "\\x1b[2J\\x1b[Hcleared"],
    ["a\rb", "a\\rb"],
    ["a\nb\tc", "a\\nb\\tc"],
    ["nul\x00del\x7f", "nul\\x00del\\x7f"],
    ["csi\u009b31m", "csi\\x9b31m"],
    ["bidi\u202eevil", "bidi\\u202eevil"],
    ["ünïcödé 日本", "ünïcödé 日本"],
  ])("shows %j as %j", (input, shown) => {
    expect(escapeControl(input)).toBe(shown);
  });

  test("keeps newlines and tabs of a multi-line message, and escapes the rest", () => {
    expect(escapeControl("line 1\n\tline 2\x1b]0;title\x07", { lines: true })).toBe(
      "line 1\n\tline 2\\x1b]0;title\\x07",
    );
  });
});
