// Where media can go: inference-perf reads data.multimodal only with data.type "synthetic", and its
// multimodal and VisionArena generators speak only the chat API. It ignores data.multimodal elsewhere and
// fails mid-run on another API; we say so before the load. Pure.
import type { Config } from "./schema.ts";

export function mediaProblems(c: Config): string[] {
  const problems: string[] = [];
  if (c.data.multimodal !== null && c.data.type !== "synthetic") {
    problems.push(
      `data.multimodal: expected data.type "synthetic" (the only type that reads it), got "${c.data.type}"`,
    );
  }
  const media = (c.data.multimodal !== null && c.data.type === "synthetic") || c.data.type === "visionarena";
  if (media && c.api.type !== "chat") {
    const what = c.data.type === "visionarena" ? 'data.type "visionarena"' : "data.multimodal";
    problems.push(
      `api.type: expected "chat" for ${what} (media travel in chat content), got "${c.api.type}"`,
    );
  }
  // inference-perf's cnn_dailymail generator speaks the completion API only.
  if (c.data.type === "cnn_dailymail" && c.api.type !== "completion") {
    problems.push(
      `api.type: expected "completion" for data.type "cnn_dailymail" (as inference-perf), got "${c.api.type}"`,
    );
  }
  return problems;
}
