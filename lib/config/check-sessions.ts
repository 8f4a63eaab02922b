// Config-only checks of the session workloads (inference-perf's validators and generator checks,
// made before any load): replayed traces go out as chat messages, a replay names exactly one source,
// and output substitution cannot be turned off where sessions must differ from one another. Pure.
import type { Config } from "./schema.ts";

export function sessionProblems(c: Config): string[] {
  const problems: string[] = [];
  const type = c.data.type;
  const conversation =
    type === "conversation_replay" ||
    (type === "shared_prefix" && c.data.shared_prefix?.enable_multi_turn_chat === true);
  if (conversation && c.api.type === "anthropic_messages") {
    problems.push(
      `api.type: expected "completion" or "chat" for conversations (${type === "shared_prefix" ? "multi-turn shared_prefix" : type}), got "anthropic_messages" (inference-perf sends conversations as completions only; replayed traces take the Messages API)`,
    );
  }
  const replayData = type === "otel_trace_replay" || type === "weka_trace_replay";
  if (c.load.type === "trace_session_replay" && !replayData) {
    problems.push(
      `data.type: expected "otel_trace_replay" or "weka_trace_replay" with load.type "trace_session_replay" (it replays recorded sessions), got "${type}"`,
    );
  }
  if (replayData) {
    if (c.api.type === "completion") {
      problems.push(
        `api.type: expected "chat" or "anthropic_messages" with data.type "${type}" (replayed calls are chat messages), got "completion"`,
      );
    }
    const replay = type === "otel_trace_replay" ? c.data.otel_trace_replay : c.data.weka_trace_replay;
    if (replay === null) {
      problems.push(`data.${type}: expected a section for data.type "${type}", got nothing`);
      return problems;
    }
    const sources = [
      replay.trace_files !== null ? "trace_files" : null,
      replay.trace_directory !== null ? "trace_directory" : null,
      replay.hf_dataset_path !== null ? "hf_dataset_path" : null,
    ].filter((s): s is string => s !== null);
    if (sources.length !== 1) {
      problems.push(
        `data.${type}: expected exactly one of trace_files, trace_directory or hf_dataset_path, got ${sources.length === 0 ? "none" : sources.join(" and ")}`,
      );
    }
    if (replay.hf_dataset_path !== null && typeof replay.hf_dataset_path === "object")
      problems.push(...hubDatasetProblems(replay.hf_dataset_path, type));
  }
  const otel = c.data.otel_trace_replay;
  if (type === "otel_trace_replay" && otel !== null && otel.disable_output_substitution) {
    if (otel.inject_random_session_id || otel.duplicate_sessions_target !== null) {
      problems.push(
        "data.otel_trace_replay.disable_output_substitution: expected false with inject_random_session_id or duplicate_sessions_target (both change the messages sent), got true",
      );
    }
  }
  if (type === "conversation_replay" && c.data.conversation_replay === null) {
    problems.push(
      'data.conversation_replay: expected a section for data.type "conversation_replay", got nothing',
    );
  }
  return problems;
}

/** The keywords of the map form of hf_dataset_path that load_dataset's replacement reads. */
const HUB_KEYS = ["path", "revision", "split", "data_files", "filter"];

/**
 * `{path, revision, split, data_files}`: inference-perf passes the map to `datasets.load_dataset`
 * (OTel) or reads only its `path` (Weka). `filter` in it is ignored there with a warning, and here.
 */
function hubDatasetProblems(hf: Record<string, unknown>, type: string): string[] {
  const at = `data.${type}.hf_dataset_path`;
  const problems: string[] = [];
  if (typeof hf.path !== "string" || hf.path.trim() === "")
    problems.push(`${at}.path: expected a Hugging Face dataset id, got ${JSON.stringify(hf.path ?? null)}`);
  if (type !== "otel_trace_replay") return problems;
  for (const [key, value] of Object.entries(hf)) {
    if (!HUB_KEYS.includes(key)) {
      problems.push(
        `${at}.${key}: expected one of ${HUB_KEYS.slice(0, 4).join(", ")} (load_dataset's other arguments are not supported), got ${JSON.stringify(value)}`,
      );
    } else if ((key === "revision" || key === "split") && typeof value !== "string") {
      problems.push(`${at}.${key}: expected a string, got ${JSON.stringify(value)}`);
    } else if (
      key === "data_files" &&
      typeof value !== "string" &&
      !(Array.isArray(value) && value.every((v) => typeof v === "string"))
    ) {
      problems.push(`${at}.data_files: expected a glob or a list of globs, got ${JSON.stringify(value)}`);
    }
  }
  return problems;
}
