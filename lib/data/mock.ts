// data.type "mock": inference-perf's fixed small prompts; no tokenizer, no max_tokens. Pure.
import type { DataGenerator } from "./types.ts";

export function createMockGenerator(): DataGenerator {
  return {
    type: "mock",
    size: undefined,
    next: (index) => ({
      // Upstream sends "1 2 3 {i}" to /v1/completions and "mock prompt {i}" as the chat user message.
      prompt: `1 2 3 ${index}`,
      messages: [{ role: "user", content: `mock prompt ${index}` }],
      maxTokens: undefined,
      expectedPromptTokens: undefined,
    }),
  };
}
