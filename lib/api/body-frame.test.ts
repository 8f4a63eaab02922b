import { expect, test } from "bun:test";
import { growableSink, putBytes } from "../data/prompt-bytes.ts";
import { promptBodyFrame } from "./body-frame.ts";
import { type RequestConfig, requestBody } from "./request.ts";
import { requestShapes } from "./request-shapes.testing.ts";

const decoder = new TextDecoder();

/** The body assembled from the frame around `prompt` (JSON-safe ASCII), as a builder writes it. */
function assembled(config: RequestConfig, model: string, prompt: string, maxTokens: number | undefined) {
  const frame = promptBodyFrame(config, model);
  if (frame === null) return null;
  const sink = growableSink(16);
  frame.open(sink);
  const bytes = new TextEncoder().encode(prompt);
  putBytes(sink, bytes, 0, bytes.length);
  frame.close(sink, maxTokens);
  return decoder.decode(sink.bytes.subarray(0, sink.at));
}

/** requestBody's body for a one-text request (sizedPrompt's shape). */
function expected(config: RequestConfig, model: string, prompt: string, maxTokens: number | undefined) {
  const item = {
    prompt,
    messages: [{ role: "user" as const, content: prompt }],
    maxTokens,
    expectedPromptTokens: undefined,
  };
  return requestBody(config, item, model);
}

// Every API type, streaming on and off, ignore_eos, a response format, the chat-template flag.
const configs = requestShapes("base", true);

test.each(configs)("a body assembled from the frame is requestBody's, byte for byte: %s", (_name, config) => {
  for (const model of ["base", "lora-adapter-7", 'org/Model_v2.1 "q" \\ x']) {
    for (const maxTokens of [undefined, 0, 1, 30, 4096, 123456789]) {
      for (const prompt of ["", " word", "Hello there general", " a".repeat(700)]) {
        expect(assembled(config, model, prompt, maxTokens)).toBe(expected(config, model, prompt, maxTokens));
      }
    }
  }
});

test("no frame where a body would not be ASCII or the marker is not unique (the string path is taken)", () => {
  const config: RequestConfig = { api: { type: "completion", streaming: false } };
  expect(promptBodyFrame(config, "modèle")).toBeNull();
  expect(promptBodyFrame(config, "inferload-prompt-7f3a9c1e")).toBeNull();
  const odd: RequestConfig = {
    api: {
      type: "completion",
      streaming: false,
      response_format: { type: "json_schema", name: "x", json_schema: { max_tokens: 987654321 } },
    },
  };
  expect(promptBodyFrame(odd, "m")).toBeNull();
  expect(promptBodyFrame(config, "m")).not.toBeNull();
});
