// The `data` section of the config (inference-perf `DataConfig` and its sub-models). Pure.
import * as v from "valibot";
import {
  anyMap,
  bool,
  checked,
  int,
  list,
  num,
  oneOf,
  opt,
  type Problem,
  section,
  str,
  strict,
  stringMap,
} from "./_valibot.ts";
import { distributionTypes } from "./distribution-types.ts";
import { multimodalSchema } from "./schema-multimodal.ts";

type DistributionValue = { min: number; max: number; std_dev: number; variance: number | null };

/** inference-perf's `Distribution` validator, one problem per field. */
export function distributionProblems(d: DistributionValue): Problem[] {
  const problems: Problem[] = [];
  if (d.min > d.max) problems.push({ path: ["max"], expected: `expected an integer >= min (${d.min})` });
  if (d.variance !== null && d.variance < 0) {
    problems.push({ path: ["variance"], expected: "expected a number >= 0" });
  }
  // std_dev defaults to 200, so using `variance` requires an explicit `std_dev: 0` (as in inference-perf).
  if (d.variance !== null && d.std_dev > 0) {
    problems.push({
      path: ["variance"],
      expected: "expected no variance while std_dev > 0 (set std_dev: 0)",
    });
  }
  return problems;
}

export const distributionSchema = checked(
  strict({
    min: v.optional(int(), 10),
    max: v.optional(int(), 1024),
    mean: v.optional(num(), 512),
    std_dev: v.optional(num({ ge: 0 }), 200),
    total_count: opt(int({ ge: 0 })),
    type: v.optional(oneOf(distributionTypes), "normal"),
    variance: opt(num()),
    skew: v.optional(num(), 0),
  }),
  [["min"], ["max"], ["std_dev"], ["variance"]],
  distributionProblems,
);

/**
 * `Union[number, Distribution]`, chosen by the input's shape so that a mistake inside a
 * distribution is reported on its own field (a plain union only says "expected one or the other").
 */
function orDistribution<S extends v.GenericSchema<unknown, number>>(scalar: S, message: string) {
  const either = v.union([scalar, distributionSchema], message);
  return v.lazy((input) => (input !== null && typeof input === "object" ? distributionSchema : either));
}

const lengthSchema = orDistribution(int({ ge: 0 }), "expected an integer or a distribution object");

export const traceSchema = strict({
  file: str(),
  format: v.optional(oneOf(["AzurePublicDataset"]), "AzurePublicDataset"),
});

const multimodal = multimodalSchema(distributionSchema);

type SharedPrefixValue = {
  question_len: unknown;
  output_len: unknown;
  question_distribution: unknown;
  output_distribution: unknown;
};

// Reads only whether the fields are given, so it holds even when their contents are invalid.
function sharedPrefixProblems(s: SharedPrefixValue): Problem[] {
  const problems: Problem[] = [];
  for (const name of ["question", "output"] as const) {
    const inline = typeof s[`${name}_len`] === "object" && s[`${name}_len`] !== null;
    if (inline && s[`${name}_distribution`] !== null) {
      problems.push({
        path: [`${name}_distribution`],
        expected: `expected no ${name}_distribution when ${name}_len is a distribution (use one or the other)`,
      });
    }
  }
  return problems;
}

// inference-perf also accepts the older names; they are renamed before validation.
const sharedPrefixAliases: Record<string, string> = {
  num_unique_system_prompts: "num_groups",
  num_users_per_system_prompt: "num_prompts_per_group",
};

function renameAliases(input: unknown): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const canonical = sharedPrefixAliases[key];
    out[canonical !== undefined && !(canonical in input) ? canonical : key] = value;
  }
  return out;
}

export const sharedPrefixSchema = v.pipe(
  v.unknown(),
  v.transform(renameAliases),
  checked(
    strict({
      num_groups: v.optional(int({ ge: 1 }), 10),
      num_prompts_per_group: v.optional(int({ ge: 1 }), 10),
      system_prompt_len: v.optional(lengthSchema, 100),
      question_len: v.optional(lengthSchema, 50),
      output_len: v.optional(lengthSchema, 50),
      seed: opt(int()),
      question_distribution: opt(distributionSchema),
      output_distribution: opt(distributionSchema),
      enable_multi_turn_chat: v.optional(bool(), false),
      multimodal: opt(multimodal),
    }),
    [],
    sharedPrefixProblems,
  ),
);

const sessionReplayEntries = {
  use_static_model: v.optional(bool(), false),
  static_model_name: v.optional(str(), ""),
  model_mapping: opt(stringMap()),
  default_max_tokens: v.optional(int({ gt: 0 }), 1000),
  override_tool_call_max_tokens: v.optional(bool(), true),
  inject_random_session_id: v.optional(bool(), false),
  duplicate_sessions_target: opt(int({ gt: 0 })),
  max_wait_ms: v.optional(int({ ge: 0 }), 15000),
  predecessor_wait_timeout_sec: v.optional(num({ ge: 0 }), 3600),
  include_errors: v.optional(bool(), true),
  skip_invalid_files: v.optional(bool(), false),
  trace_directory: opt(str()),
  trace_files: opt(list(str())),
  hf_dataset_path: opt(v.union([str(), anyMap()], "expected a string or a map")),
};

const otelTraceReplaySchema = strict({
  ...sessionReplayEntries,
  filter: opt(str()),
  disable_output_substitution: v.optional(bool(), false),
  attribute_to_header_map: opt(stringMap()),
  attribute_to_label_map: opt(stringMap()),
  bad_tool_call_handling: v.optional(oneOf(["none", "use_recorded"]), "none"),
});

const wekaTraceReplaySchema = strict({
  ...sessionReplayEntries,
  trace_idle_gap_cap_seconds: v.optional(num(), 60),
  ignore_trace_delays: v.optional(bool(), false),
  use_think_time_only: v.optional(bool(), false),
  default_block_size: v.optional(int({ gt: 0 }), 64),
  num_dataset_entries: v.optional(int({ gt: 0 }), 100),
});

const conversationReplaySchema = strict({
  seed: v.optional(int(), 42),
  num_conversations: v.optional(int({ gt: 0 }), 200),
  shared_system_prompt_len: v.optional(int({ ge: 0 }), 8359),
  dynamic_system_prompt_len: opt(distributionSchema),
  turns_per_conversation: opt(distributionSchema),
  input_tokens_per_turn: opt(distributionSchema),
  output_tokens_per_turn: opt(distributionSchema),
  tool_call_latency_sec: opt(distributionSchema),
  max_model_len: opt(int({ gt: 0 })),
});

const visionArenaSchema = strict({
  hf_dataset_name: v.optional(str(), "lmarena-ai/VisionArena-Chat"),
  hf_split: v.optional(str(), "train"),
  hf_data_files: opt(str()),
  num_rows: v.optional(int({ gt: 0 }), 1000),
  max_images_per_request: v.optional(int({ gt: 0 }), 1),
  insertion_point: v.optional(
    v.nullable(orDistribution(num({ ge: 0, le: 1 }), "expected a number or a distribution object")),
    0,
  ),
});

export const dataTypes = [
  "mock",
  "shareGPT",
  "synthetic",
  "random",
  "shared_prefix",
  "cnn_dailymail",
  "infinity_instruct",
  "billsum_conversations",
  "otel_trace_replay",
  "weka_trace_replay",
  "conversation_replay",
  "visionarena",
] as const;

type DataValue = { type: (typeof dataTypes)[number]; use_chat_template: boolean; shared_prefix: unknown };

function dataProblems(d: DataValue): Problem[] {
  const problems: Problem[] = [];
  if (d.use_chat_template && d.type !== "random") {
    problems.push({ path: ["use_chat_template"], expected: 'expected false unless data.type is "random"' });
  }
  return problems;
}

const dataEntries = {
  type: v.optional(oneOf(dataTypes), "mock"),
  path: opt(str()),
  corpus_file_path: opt(str()),
  input_distribution: opt(distributionSchema),
  output_distribution: opt(distributionSchema),
  shared_prefix: opt(sharedPrefixSchema),
  multimodal: opt(multimodal),
  trace: opt(traceSchema),
  otel_trace_replay: opt(otelTraceReplaySchema),
  weka_trace_replay: opt(wekaTraceReplaySchema),
  conversation_replay: opt(conversationReplaySchema),
  visionarena: opt(visionArenaSchema),
  use_chat_template: v.optional(bool(), false),
};

export const dataSchema = checked(section(dataEntries), [["type"], ["use_chat_template"]], dataProblems);
