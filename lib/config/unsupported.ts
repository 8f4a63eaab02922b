// Options that parse (they are valid inference-perf config) but that inferload does not implement
// yet. `run` refuses them by name instead of silently ignoring them. Pure.
//
// To implement a feature: make it work, then delete its row here (and its line in docs/config.md).
import { UserError } from "../cli/errors.ts";
import type { Config } from "./schema.ts";

export type UnsupportedOption = {
  /** Config path as the user writes it. */
  path: string;
  /** True when this config uses the option in a way we cannot honour. */
  isUsed: (config: Config) => boolean;
  /** What to say instead of the bare "not supported yet", e.g. which values do work. */
  detail?: (config: Config) => string;
};

const supportedDataTypes = [
  "mock",
  "random",
  "synthetic",
  "shared_prefix",
  "shareGPT",
  "cnn_dailymail",
  "billsum_conversations",
  "infinity_instruct",
  "visionarena",
  "conversation_replay",
  "otel_trace_replay",
  "weka_trace_replay",
];

export const unsupportedOptions: readonly UnsupportedOption[] = [
  {
    path: "data.type",
    isUsed: (c) => !supportedDataTypes.includes(c.data.type),
    detail: (c) => `"${c.data.type}" is not supported yet (supported: ${supportedDataTypes.join(", ")})`,
  },
  { path: "data.use_chat_template", isUsed: (c) => c.data.use_chat_template },
  { path: "data.shared_prefix.multimodal", isUsed: (c) => c.data.shared_prefix?.multimodal != null },
  {
    path: "data.otel_trace_replay.hf_dataset_path",
    isUsed: (c) => c.data.type === "otel_trace_replay" && c.data.otel_trace_replay?.hf_dataset_path != null,
    detail: () =>
      "Hugging Face datasets are not supported yet: download the traces and name them with trace_files or trace_directory",
  },
  {
    path: "data.otel_trace_replay.filter",
    isUsed: (c) => c.data.type === "otel_trace_replay" && c.data.otel_trace_replay?.filter != null,
    detail: () => "a Python lambda, which inferload cannot evaluate: select the trace files instead",
  },
  {
    path: "data.weka_trace_replay.hf_dataset_path",
    isUsed: (c) => c.data.type === "weka_trace_replay" && c.data.weka_trace_replay?.hf_dataset_path != null,
    detail: () =>
      "Hugging Face datasets are not supported yet: download the dataset's traces.jsonl and name it in trace_files",
  },
  {
    path: "data.weka_trace_replay.use_think_time_only",
    isUsed: (c) =>
      c.data.type === "weka_trace_replay" && c.data.weka_trace_replay?.use_think_time_only === true,
  },
  {
    path: "data.otel_trace_replay.attribute_to_label_map",
    isUsed: (c) =>
      c.data.type === "otel_trace_replay" && c.data.otel_trace_replay?.attribute_to_label_map != null,
  },
  {
    path: "data.otel_trace_replay.bad_tool_call_handling",
    isUsed: (c) =>
      c.data.type === "otel_trace_replay" &&
      c.data.otel_trace_replay?.bad_tool_call_handling === "use_recorded",
    detail: () => '"use_recorded" is not supported yet (supported: none)',
  },
];

/** One line per option this config uses that is not implemented, e.g. `data.use_chat_template: not supported yet`. */
export function findUnsupported(
  config: Config,
  table: readonly UnsupportedOption[] = unsupportedOptions,
): string[] {
  return table
    .filter((row) => row.isUsed(config))
    .map((row) => `${row.path}: ${row.detail?.(config) ?? "not supported yet"}`);
}

/** Throws one UserError listing every option of `config` that parses but is not implemented yet. */
export function assertSupported(
  config: Config,
  table: readonly UnsupportedOption[] = unsupportedOptions,
): void {
  const lines = findUnsupported(config, table);
  if (lines.length === 0) return;
  const count = lines.length === 1 ? "an option that is" : `${lines.length} options that are`;
  throw new UserError(`Cannot run this config: it uses ${count} not supported yet`, { details: lines });
}
