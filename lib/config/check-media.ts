// Which data goes with which API. inference-perf reads data.multimodal only with data.type "synthetic"
// and "shared_prefix" (question media there, beside the prefix media of shared_prefix.multimodal), and
// its media generators speak only the chat API. It ignores data.multimodal elsewhere and fails mid-run
// on another API; we say so before the load. Likewise a templated random prompt (data.use_chat_template)
// goes to the completions API only. Pure.
import type { Config } from "./schema.ts";

const MEDIA_TYPES = ["synthetic", "shared_prefix"];

export function mediaProblems(c: Config): string[] {
  const problems: string[] = [];
  const data = c.data;
  if (data.multimodal !== null && !MEDIA_TYPES.includes(data.type)) {
    problems.push(
      `data.multimodal: expected data.type "synthetic" or "shared_prefix" (the types that read it), got "${data.type}"`,
    );
  }
  const prefixMedia = data.type === "shared_prefix" && data.shared_prefix?.multimodal != null;
  const what =
    data.type === "visionarena"
      ? 'data.type "visionarena"'
      : data.multimodal !== null && MEDIA_TYPES.includes(data.type)
        ? "data.multimodal"
        : prefixMedia
          ? "data.shared_prefix.multimodal"
          : null;
  if (what !== null && c.api.type !== "chat") {
    problems.push(
      `api.type: expected "chat" for ${what} (media travel in chat content), got "${c.api.type}"`,
    );
  }
  if (data.type === "shared_prefix" && data.shared_prefix?.enable_multi_turn_chat && what !== null) {
    problems.push(
      `data.shared_prefix.enable_multi_turn_chat: expected false with ${what} (multi-turn conversations carry text only, as in inference-perf), got true`,
    );
  }
  // A templated prompt goes to the completions API, as inference-perf sends it; a chat server applies
  // the template itself. Its lengths are the client tokenizer's, so server counting does not apply.
  if (data.use_chat_template && c.api.type !== "completion") {
    problems.push(
      `api.type: expected "completion" for data.use_chat_template (the templated prompt is sent as a completion prompt; a chat server applies the template itself), got "${c.api.type}"`,
    );
  }
  if (data.use_chat_template && c.tokenizer?.use_server_tokenize === true) {
    problems.push(
      "tokenizer.use_server_tokenize: expected false with data.use_chat_template (templated lengths are counted by the tokenizer whose template they use), got true",
    );
  }
  // inference-perf's cnn_dailymail generator speaks the completion API only.
  if (data.type === "cnn_dailymail" && c.api.type !== "completion") {
    problems.push(
      `api.type: expected "completion" for data.type "cnn_dailymail" (as inference-perf), got "${c.api.type}"`,
    );
  }
  return problems;
}
