import { expect, test } from "bun:test";
import { errorBodyMessage, failureLabel } from "./failure.ts";

test.each([
  ["http_status", 429, "slow down", "429 - Rate Limit"],
  ["http_status", 500, "anything", "500 - Internal Server Error"],
  ["http_status", 503, "", "503 - Service Unavailable"],
  ["http_status", 400, "This model's maximum context length is 8192 tokens", "400 - Context Window"],
  ["http_status", 400, "Expecting value: line 1 column 1", "400 - Invalid JSON"],
  ["http_status", 404, "The model `x` does not exist / model not found", "404 - Model Not Found"],
  ["http_status", 404, "The model `movie` does not exist.", "404 - Model Not Found"],
  ["http_status", 408, "request timed out", "408 - Timeout"],
  ["http_status", 401, "bad key", "401 - other"],
  ["timeout", 0, "", "Timeout"],
  ["connect", 0, "ECONNREFUSED", "Connection Error"],
  ["dropped", 0, "Server closed the connection", "Connection Error"],
  ["stream_error", 200, "cut", "stream error"],
  ["parse_error", 200, "bad", "Invalid JSON"],
  ["cancelled", 0, "", "cancelled"],
] as const)("failureLabel(%s, %d, %p) is %p, as inference-perf labels it", (kind, status, message, label) => {
  expect(failureLabel(kind, status, message)).toBe(label);
});

test("errorBodyMessage() extracts the inner message of OpenAI, FastAPI and plain bodies", () => {
  expect(errorBodyMessage('{"error":{"message":"Too many","type":"x"}}')).toBe("Too many");
  expect(errorBodyMessage('{"object":"error","message":"bad request"}')).toBe("bad request");
  expect(errorBodyMessage('{"detail":"Not Found"}')).toBe("Not Found");
  expect(errorBodyMessage("  upstream connect error  ")).toBe("upstream connect error");
  expect(errorBodyMessage("x".repeat(600))).toHaveLength(501);
});
