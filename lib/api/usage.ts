// Token counts from a server `usage` object, and the client-side prompt count used when the server
// sends none. Pure.
import type { GeneratedRequest, Tokenizer } from "../data/types.ts";
import { textOf } from "../media/content.ts";

export interface Usage {
  /** usage.prompt_tokens, -1 when absent. */
  promptTokens: number;
  /** usage.completion_tokens, -1 when absent. */
  completionTokens: number;
  /** usage.prompt_tokens_details.cached_tokens, -1 when absent. */
  cachedTokens: number;
}

export const noUsage: Readonly<Usage> = Object.freeze({
  promptTokens: -1,
  completionTokens: -1,
  cachedTokens: -1,
});

/** Reads a parsed `usage` value, keeping each field only when it is a finite non-negative number. */
export function readUsage(value: unknown, into: Usage): void {
  if (value === null || typeof value !== "object") return;
  const usage = value as Record<string, unknown>;
  const prompt = count(usage.prompt_tokens);
  if (prompt >= 0) into.promptTokens = prompt;
  const completion = count(usage.completion_tokens);
  if (completion >= 0) into.completionTokens = completion;
  const details = usage.prompt_tokens_details;
  if (details !== null && typeof details === "object") {
    const cached = count((details as Record<string, unknown>).cached_tokens);
    if (cached >= 0) into.cachedTokens = cached;
  }
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : -1;
}

/**
 * The client's prompt token count, as inference-perf counts it when the server reports none:
 * completion → the prompt; chat and Messages → the sum over message contents (no chat-template overhead).
 */
export function clientPromptTokens(item: GeneratedRequest, apiType: string, tokenizer: Tokenizer): number {
  if (apiType === "completion") return tokenizer.count(item.prompt);
  let total = 0;
  // Only text parts count: inference-perf's client-side count skips image, video and audio parts too.
  for (const message of item.messages) total += tokenizer.count(textOf(message.content));
  return total;
}
