import { describe, expect, test } from "bun:test";
import { type HeaderConfig, headerFindings, trimFileNewline } from "./check-headers.ts";

function withHeaders(headers: Record<string, string>, extra: Partial<HeaderConfig> = {}): HeaderConfig {
  return { api: { headers }, server: null, tokenizer: null, ...extra };
}

describe("headerFindings()", () => {
  test("accepts ordinary headers", () => {
    expect(headerFindings(withHeaders({ "X-Team": "a b", Authorization: "Bearer k\tx" }))).toEqual({
      problems: [],
      notes: [],
    });
  });

  test.each([
    [
      { "X-Team": "k\r\nX-Injected: yes" },
      'api.headers.X-Team: expected a value without control characters, got "k\\r\\nX-Injected: yes" with a carriage return (CR) at character 2',
    ],
    [{ "X-Team": "a\nb" }, "with a line feed (LF) at character 2"],
    [{ "X-Team": "a\0b" }, "with NUL at character 2"],
    [{ "X-Team": "a\x1bb" }, "with control character 0x1b at character 2"],
    [
      { "X Bad": "v" },
      `api.headers.X Bad: expected a header name of letters, digits and !#$%&'*+.^_\`|~-, got "X Bad"`,
    ],
    [{ "X-A\r\nB": "v" }, "expected a header name"],
    [
      { "Content-Length": "5" },
      "api.headers.Content-Length: expected no Content-Length header: the client sets Content-Length from each body",
    ],
    [{ "transfer-encoding": "chunked" }, "expected no transfer-encoding header"],
    [{ Connection: "close" }, "expected no Connection header"],
    [{ "Accept-Encoding": "gzip" }, "the client reads uncompressed responses only"],
    [
      { "X-Team": "a", "x-team": "b" },
      'api.headers.x-team: expected each header once, got it also as "X-Team" (names ignore case)',
    ],
  ])("refuses %j", (headers, message) => {
    const { problems } = headerFindings(withHeaders(headers));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  test("never shows the value of a credential header it refuses", () => {
    const { problems } = headerFindings(withHeaders({ "X-Custom-Auth": "sk-secret-value\r\nX: 1" }));
    expect(problems).toEqual([
      "api.headers.X-Custom-Auth: expected a value without control characters, got a value with a carriage return (CR) at character 16",
    ]);
  });

  test("checks the API key and the tokenizer token, which also go into headers", () => {
    const { problems } = headerFindings(
      withHeaders({}, { server: { api_key: "sk-1\nX" }, tokenizer: { token: "hf\r" } }),
    );
    expect(problems).toEqual([
      "server.api_key: expected a value without control characters, got a value with a line feed (LF) at character 5",
      "tokenizer.token: expected a value without control characters, got a value with a carriage return (CR) at character 3",
    ]);
  });

  test("a Host header is kept, with a note that it replaces the URL's", () => {
    expect(headerFindings(withHeaders({ Host: "models.internal" }))).toEqual({
      problems: [],
      notes: ["api.headers.Host replaces the Host header taken from server.base_url"],
    });
  });
});

describe("trimFileNewline()", () => {
  test.each([
    ["key\n", "key"],
    ["key\r\n", "key"],
    ["key\n\n", "key\n"],
    ["key", "key"],
    ["", ""],
  ])("%j becomes %j", (value, trimmed) => {
    expect(trimFileNewline(value)).toBe(trimmed);
  });
});
