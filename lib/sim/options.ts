// Every simulator option, declared once: its key, vLLM-like default, description and check, and the
// SimOptions field it fills. The CLI derives its flags from this table (cmd/_sim-args.ts spells the key
// `maxNumSeqs` as `--max-num-seqs`); so this file knows no flag spellings, and a description names
// another option as `{key}` for whoever renders it. Pure: no I/O.

export interface SimFaults {
  /** Fractions of requests answered at once with HTTP 429 / 500 / 503 and an OpenAI error body. */
  rate429: number;
  rate500: number;
  rate503: number;
  /** Fraction of requests whose connection is dropped after `afterTokens` tokens (no terminal chunk). */
  cutRate: number;
  /** Fraction of requests that get one malformed (truncated JSON) event after `afterTokens` tokens. */
  malformedRate: number;
  /** Fraction of streamed requests that get an `{"error":…}` event after `afterTokens` tokens, then end. */
  errorEventRate: number;
  /**
   * Fraction of requests whose connection is closed after the request was read and held a moment
   * (faults.ts DROP_HOLD_MS), before any response byte: a crashed engine or a proxy reset.
   */
  dropRate: number;
  /** Token count after which the cut, malformed and error-event faults strike. */
  afterTokens: number;
  /** Delay before any response headers are written, for every request (slow proxy, cold server). */
  headersDelayMs: number;
  /** Send `Connection: close` and close the socket after every streamed response (llama.cpp does). */
  closeConnection: boolean;
}

/**
 * How prompt tokens are counted: "tokenizer" with the default tokenizer (exact; about 1 µs per token,
 * memoised per distinct prompt), or "words", one token per whitespace-separated word (about 1 ns per
 * character; exact for the client's `random` and `shared_prefix` prompts, which are made of
 * space-led word tokens, an estimate otherwise), so a rate benchmark measures the client, not this.
 */
export type PromptCount = "tokenizer" | "words";
export const promptCounts: readonly PromptCount[] = ["tokenizer", "words"];

export interface SimOptions {
  host: string;
  port: number;
  /** The base model name served, listed first by /v1/models. */
  model: string;
  /** LoRA adapter names also accepted in `model` and listed by /v1/models. */
  loras: readonly string[];
  /** Sequences decoded at once; further requests wait in a FIFO queue (vLLM --max-num-seqs). */
  maxNumSeqs: number;
  /** Prompt plus output tokens allowed per request (vLLM --max-model-len); beyond it: 400. */
  maxModelLen: number;
  /** A PromptCount; typed as text like the table's other string options (checked against promptCounts). */
  promptCount: string;
  /** Prefill time = prefillMs + prefillMsPerToken × prompt tokens, paid once a slot is free. */
  prefillMs: number;
  prefillMsPerToken: number;
  /** Inter-token latency with one running sequence. */
  itlMs: number;
  /** ITL grows by this fraction per additional running sequence: itl × (1 + growth × (running − 1)). */
  itlGrowth: number;
  /** Relative standard deviation of each ITL: itl × max(0, 1 + jitter × N(0,1)). */
  itlJitter: number;
  /** Mean of the seeded output length when the request does not set ignore_eos (capped by max_tokens). */
  outputLenMean: number;
  /** KV-cache size in tokens; drives the kv_cache_usage_perc gauge and the prefix cache's size, never admission. */
  kvCacheTokens: number;
  /**
   * Media allowed per request, as vLLM's --limit-mm-per-prompt JSON (`{"image":1,"video":0}`); more is
   * refused with 400. "" allows any number of each.
   */
  limitMmPerPrompt: string;
  /**
   * Off: no prefix cache. On (the default, as vLLM's automatic prefix caching), prompt prefixes an
   * earlier request computed skip prefill and usage reports prompt_tokens_details.cached_tokens.
   */
  disablePrefixCaching: boolean;
  seed: number;
  faults: SimFaults;
  /** Write one JSONL line per request with server-side timestamps to this file. */
  truthLogPath: string | null;
  /** Whose metric names /metrics speaks: one of `metricsStyles` (checked), vLLM's by default. */
  metricsStyle: string;
}

export const metricsStyles = ["vllm", "sglang", "tgi"] as const;
export type MetricsStyle = (typeof metricsStyles)[number];

/** What a valid value is ("an integer >= 1") and the test for it. */
export interface SimOptionCheck<V> {
  readonly expected: string;
  readonly ok: (value: V) => boolean;
}

interface Spec<T extends string, V> {
  /** How the value is written as text: a number, a string, a switch, comma-separated names, a file path. */
  readonly type: T;
  readonly default: V;
  readonly description: string;
  readonly check?: SimOptionCheck<V>;
}

type AnySpec =
  | Spec<"number", number>
  | Spec<"string", string>
  | Spec<"boolean", boolean>
  | Spec<"names", readonly string[]>
  | Spec<"path", string | null>;

/** The spec whose value type is exactly V (a nullable string is a path; a plain string is not). */
type SpecFor<V> = [V] extends [string] ? Spec<"string", V> : Extract<AnySpec, { default: V }>;

type OptionField = Exclude<keyof SimOptions, "faults">;
type FaultField = keyof SimFaults;

/** One row of the table: where its value lands (a SimOptions field, or one of SimOptions.faults). */
export type SimOptionSpec = AnySpec & { readonly group: "options" | "faults"; readonly field: string };

function option<F extends OptionField>(field: F, spec: SpecFor<SimOptions[F]>) {
  return { ...spec, group: "options", field } as const;
}

function fault<F extends FaultField>(field: F, spec: SpecFor<SimFaults[F]>) {
  return { ...spec, group: "faults", field } as const;
}

const integer = (min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): SimOptionCheck<number> => ({
  expected:
    min === Number.NEGATIVE_INFINITY
      ? "an integer"
      : max === Number.POSITIVE_INFINITY
        ? `an integer >= ${min}`
        : `an integer from ${min} to ${max}`,
  ok: (v) => Number.isInteger(v) && v >= min && v <= max,
});
const atLeast = (min: number): SimOptionCheck<number> => ({
  expected: `a number >= ${min}`,
  ok: (v) => Number.isFinite(v) && v >= min,
});
const fraction: SimOptionCheck<number> = {
  expected: "a fraction from 0 to 1",
  ok: (v) => Number.isFinite(v) && v >= 0 && v <= 1,
};
const nonEmpty = (what: string): SimOptionCheck<string | null> => ({
  expected: `a non-empty ${what}`,
  ok: (v) => v === null || v.length > 0,
});

/** `--limit-mm-per-prompt`: counts per modality (absent: unlimited), or null when malformed. */
export function parseMediaLimits(text: string): Partial<Record<"image" | "video" | "audio", number>> | null {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const limits: Partial<Record<"image" | "video" | "audio", number>> = {};
  for (const [key, n] of Object.entries(value)) {
    if (key !== "image" && key !== "video" && key !== "audio") return null;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) return null;
    limits[key] = n;
  }
  return limits;
}

/** Every option, in --help order. */
export const simOptionTable = {
  host: option("host", {
    type: "string",
    default: "127.0.0.1",
    description: "Address to bind",
    check: nonEmpty("address"),
  }),
  port: option("port", {
    type: "number",
    default: 8000,
    description: "Port to listen on (0 picks a free port)",
    check: integer(0, 65535),
  }),
  model: option("model", {
    type: "string",
    default: "sim-model",
    description: "Base model name served and listed first by /v1/models",
    check: nonEmpty("name"),
  }),
  lora: option("loras", {
    type: "names",
    default: [],
    description: "LoRA adapter names also served, comma-separated",
    check: {
      expected: "distinct non-empty names",
      ok: (names) => new Set(names).size === names.length && names.every((n) => n.length > 0),
    },
  }),
  maxNumSeqs: option("maxNumSeqs", {
    type: "number",
    default: 256,
    description: "Sequences decoded at once; more requests wait in a FIFO queue",
    check: integer(1),
  }),
  maxModelLen: option("maxModelLen", {
    type: "number",
    default: 32768,
    description: "Prompt plus output tokens allowed per request (more: 400)",
    check: integer(2),
  }),
  promptCount: option("promptCount", {
    type: "string",
    default: "tokenizer",
    description:
      "How prompt tokens are counted: tokenizer (exact, ~1 µs/token) or words (one per word: cheap, exact for random prompts)",
    check: { expected: "tokenizer or words", ok: (v) => (promptCounts as readonly string[]).includes(v) },
  }),
  prefillMs: option("prefillMs", {
    type: "number",
    default: 20,
    description: "Prefill time per request once it has a slot, in ms",
    check: atLeast(0),
  }),
  prefillMsPerToken: option("prefillMsPerToken", {
    type: "number",
    default: 0.05,
    description: "Extra prefill time per prompt token, in ms",
    check: atLeast(0),
  }),
  itlMs: option("itlMs", {
    type: "number",
    default: 10,
    description: "Inter-token latency with one running sequence, in ms",
    check: atLeast(0),
  }),
  itlGrowth: option("itlGrowth", {
    type: "number",
    default: 0,
    description: "ITL growth per additional running sequence (fraction, 0 = flat)",
    check: atLeast(0),
  }),
  itlJitter: option("itlJitter", {
    type: "number",
    default: 0,
    description: "Relative standard deviation of each inter-token gap (seeded)",
    check: atLeast(0),
  }),
  outputLenMean: option("outputLenMean", {
    type: "number",
    default: 128,
    description: "Mean output length when ignore_eos is not set (capped by max_tokens)",
    check: atLeast(1),
  }),
  kvCacheTokens: option("kvCacheTokens", {
    type: "number",
    default: 262144,
    description: "KV-cache size in tokens, for the kv_cache_usage_perc gauge and the prefix cache",
    check: integer(1),
  }),
  limitMmPerPrompt: option("limitMmPerPrompt", {
    type: "string",
    default: "",
    description:
      'Media allowed per request, as vLLM\'s JSON (e.g. {"image":1,"video":0,"audio":0}); more is refused with 400. Empty: no limit',
    check: { expected: 'a JSON object of counts, e.g. {"image":1}', ok: (v) => parseMediaLimits(v) !== null },
  }),
  disablePrefixCaching: option("disablePrefixCaching", {
    type: "boolean",
    default: false,
    description: "Turn the prefix cache off: every prompt is computed in full, no cached_tokens in usage",
  }),
  seed: option("seed", {
    type: "number",
    default: 42,
    description: "Seed for output lengths, text, jitter and faults",
    check: integer(),
  }),
  fail429: fault("rate429", {
    type: "number",
    default: 0,
    description: "Fraction of requests answered with HTTP 429",
    check: fraction,
  }),
  fail500: fault("rate500", {
    type: "number",
    default: 0,
    description: "Fraction of requests answered with HTTP 500",
    check: fraction,
  }),
  fail503: fault("rate503", {
    type: "number",
    default: 0,
    description: "Fraction of requests answered with HTTP 503",
    check: fraction,
  }),
  cutRate: fault("cutRate", {
    type: "number",
    default: 0,
    description: "Fraction of requests whose connection is dropped after {faultAfter} tokens",
    check: fraction,
  }),
  malformedRate: fault("malformedRate", {
    type: "number",
    default: 0,
    description: "Fraction of requests that get a malformed chunk after {faultAfter} tokens",
    check: fraction,
  }),
  errorEventRate: fault("errorEventRate", {
    type: "number",
    default: 0,
    description: "Fraction of streams that get an error event after {faultAfter} tokens",
    check: fraction,
  }),
  dropRate: fault("dropRate", {
    type: "number",
    default: 0,
    description: "Fraction of requests whose connection is closed before any response byte",
    check: fraction,
  }),
  faultAfter: fault("afterTokens", {
    type: "number",
    default: 5,
    description: "Tokens written before a cut, malformed chunk or error event",
    check: integer(0),
  }),
  headersDelayMs: fault("headersDelayMs", {
    type: "number",
    default: 0,
    description: "Delay before response headers on every request, in ms",
    check: atLeast(0),
  }),
  closeConnection: fault("closeConnection", {
    type: "boolean",
    default: false,
    description: "Send Connection: close and close after every streamed response",
  }),
  truthLog: option("truthLogPath", {
    type: "path",
    default: null,
    description: "Append one JSONL line per request with server timestamps to this file",
    check: nonEmpty("file path"),
  }),
  metricsStyle: option("metricsStyle", {
    type: "string",
    default: "vllm",
    description: "Metric names on /metrics: vllm, sglang or tgi",
    check: {
      expected: `one of ${metricsStyles.join(", ")}`,
      ok: (v) => (metricsStyles as readonly string[]).includes(v),
    },
  }),
} as const;

export type SimOptionKey = keyof typeof simOptionTable;
type Row = (typeof simOptionTable)[SimOptionKey];
export type SimOptionValues = { [K in SimOptionKey]: (typeof simOptionTable)[K]["default"] };

// Compile-time proof that every SimOptions field has a row: a missing one names itself here.
type Unfilled =
  | Exclude<OptionField, Extract<Row, { group: "options" }>["field"]>
  | Exclude<FaultField, Extract<Row, { group: "faults" }>["field"]>;
export const everyFieldHasAnOption: [Unfilled] extends [never] ? true : Unfilled = true;

export const simOptionKeys = Object.keys(simOptionTable) as SimOptionKey[];

/** The fault rates are consecutive bands of [0, 1) (faults.ts), so together they must fit in it. */
const faultRateKeys = [
  "fail429",
  "fail500",
  "fail503",
  "cutRate",
  "malformedRate",
  "errorEventRate",
  "dropRate",
] as const satisfies readonly SimOptionKey[];

function read(options: SimOptions, key: SimOptionKey): SimOptionValues[SimOptionKey] {
  const row: SimOptionSpec = simOptionTable[key];
  const from = (row.group === "faults" ? options.faults : options) as unknown as Record<string, unknown>;
  return from[row.field] as SimOptionValues[SimOptionKey];
}

/** Options from values by key, defaults for the rest. Unchecked: see checkSimOptions. */
export function simOptionsFromValues(values: Partial<SimOptionValues>): SimOptions {
  const options: Record<string, unknown> = {};
  const faults: Record<string, unknown> = {};
  for (const key of simOptionKeys) {
    const row: SimOptionSpec = simOptionTable[key];
    const value = values[key] === undefined ? row.default : values[key];
    (row.group === "faults" ? faults : options)[row.field] = Array.isArray(value) ? [...value] : value;
  }
  return { ...options, faults } as unknown as SimOptions;
}

export const simDefaults: SimOptions = simOptionsFromValues({});
export const defaultFaults: SimFaults = simDefaults.faults;

/** A SimOptions field path, e.g. `faults.rate429`: how options are named to in-process callers. */
export function simOptionPath(key: SimOptionKey): string {
  const row: SimOptionSpec = simOptionTable[key];
  return row.group === "faults" ? `faults.${row.field}` : row.field;
}

/**
 * Every problem with a set of options, as "name: expected …, got …" lines; `name` spells an option's
 * key for the reader (a flag on the command line, a field path in code).
 */
export function checkSimOptions(
  o: SimOptions,
  name: (key: SimOptionKey) => string = simOptionPath,
): string[] {
  const problems: string[] = [];
  for (const key of simOptionKeys) {
    const row: SimOptionSpec = simOptionTable[key];
    const check = row.check as SimOptionCheck<unknown> | undefined;
    const value = read(o, key);
    if (check !== undefined && !check.ok(value))
      problems.push(`${name(key)}: expected ${check.expected}, got ${JSON.stringify(value)}`);
  }
  if (o.loras.includes(o.model))
    problems.push(
      `${name("lora")}: expected names other than the model "${o.model}", got ${JSON.stringify(o.loras)}`,
    );
  const total = faultRateKeys.reduce((sum, key) => sum + (read(o, key) as number), 0);
  if (!(total <= 1 + 1e-9))
    problems.push(`fault rates (${faultRateKeys.map(name).join(", ")}): expected a sum <= 1, got ${total}`);
  return problems;
}

export type SimOptionsInput = Partial<Omit<SimOptions, "faults">> & { faults?: Partial<SimFaults> };

/** Fill defaults and check every value; throws RangeError naming every bad option. */
export function resolveSimOptions(input: SimOptionsInput = {}): SimOptions {
  const options: SimOptions = {
    ...simDefaults,
    ...input,
    loras: [...(input.loras ?? simDefaults.loras)],
    faults: { ...defaultFaults, ...input.faults },
  };
  const problems = checkSimOptions(options);
  if (problems.length > 0) throw new RangeError(problems.join("; "));
  return options;
}
