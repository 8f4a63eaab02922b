// The request a length-targeting text generator (random, synthetic) returns: one text as both the
// completion prompt and the single user message, with its token count known by construction or by
// the fitting pass, so nothing downstream counts it again.
import type { GeneratedRequest } from "./types.ts";

export function sizedPrompt(text: string, promptTokens: number, maxTokens: number): GeneratedRequest {
  return {
    prompt: text,
    messages: [{ role: "user", content: text }],
    maxTokens,
    expectedPromptTokens: promptTokens,
    clientPromptTokens: promptTokens,
  };
}
