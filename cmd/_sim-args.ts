// The flags of `inferload sim` and their mapping onto SimOptions (every problem at once).
import type { ArgsDef } from "citty";
import { UserError } from "../lib/cli/errors.ts";
import { checkSimOptions, type SimOptions, simDefaults } from "../lib/sim/options.ts";

const d = simDefaults;
const f = simDefaults.faults;
const num = (description: string, value: number) =>
  ({ type: "string", description, default: String(value) }) as const;

export const simArgs = {
  host: { type: "string", description: "Address to bind", default: d.host },
  port: num("Port to listen on (0 picks a free port)", d.port),
  model: {
    type: "string",
    description: "Base model name served and listed first by /v1/models",
    default: d.model,
  },
  lora: {
    type: "string",
    description: "LoRA adapter names also served, comma-separated",
    valueHint: "NAME[,NAME...]",
  },
  maxNumSeqs: num("Sequences decoded at once; more requests wait in a FIFO queue", d.maxNumSeqs),
  maxModelLen: num("Prompt plus output tokens allowed per request (more: 400)", d.maxModelLen),
  prefillMs: num("Prefill time per request once it has a slot, in ms", d.prefillMs),
  prefillMsPerToken: num("Extra prefill time per prompt token, in ms", d.prefillMsPerToken),
  itlMs: num("Inter-token latency with one running sequence, in ms", d.itlMs),
  itlGrowth: num("ITL growth per additional running sequence (fraction, 0 = flat)", d.itlGrowth),
  itlJitter: num("Relative standard deviation of each inter-token gap (seeded)", d.itlJitter),
  outputLenMean: num("Mean output length when ignore_eos is not set (capped by max_tokens)", d.outputLenMean),
  kvCacheTokens: num("KV-cache size in tokens, for the kv_cache_usage_perc gauge", d.kvCacheTokens),
  seed: num("Seed for output lengths, text, jitter and faults", d.seed),
  "fail-429": num("Fraction of requests answered with HTTP 429", f.rate429),
  "fail-500": num("Fraction of requests answered with HTTP 500", f.rate500),
  "fail-503": num("Fraction of requests answered with HTTP 503", f.rate503),
  cutRate: num("Fraction of requests whose connection is dropped after --fault-after tokens", f.cutRate),
  malformedRate: num(
    "Fraction of requests that get a malformed chunk after --fault-after tokens",
    f.malformedRate,
  ),
  errorEventRate: num(
    "Fraction of streams that get an error event after --fault-after tokens",
    f.errorEventRate,
  ),
  faultAfter: num("Tokens written before a cut, malformed chunk or error event", f.afterTokens),
  headersDelayMs: num("Delay before response headers on every request, in ms", f.headersDelayMs),
  closeConnection: {
    type: "boolean",
    description: "Send Connection: close and close after every streamed response",
  },
  truthLog: {
    type: "string",
    description: "Append one JSONL line per request with server timestamps to this file",
  },
} as const satisfies ArgsDef;

type SimArgValues = { [K in keyof typeof simArgs]?: string | boolean | undefined };

/** Flag values → options; every problem at once as a UserError. */
export function simOptionsFromArgs(args: SimArgValues): SimOptions {
  const problems: string[] = [];
  const number = (name: keyof typeof simArgs, fallback: number): number => {
    const raw = args[name];
    if (raw === undefined || typeof raw === "boolean") return fallback;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value))
      problems.push(`--${kebab(name)}: expected a number, got "${raw}"`);
    return value;
  };
  const text = (name: keyof typeof simArgs, fallback: string) =>
    typeof args[name] === "string" ? (args[name] as string) : fallback;
  const lora = text("lora", "");
  const options: SimOptions = {
    host: text("host", d.host),
    port: number("port", d.port),
    model: text("model", d.model),
    loras: lora === "" ? [] : lora.split(",").map((s) => s.trim()),
    maxNumSeqs: number("maxNumSeqs", d.maxNumSeqs),
    maxModelLen: number("maxModelLen", d.maxModelLen),
    prefillMs: number("prefillMs", d.prefillMs),
    prefillMsPerToken: number("prefillMsPerToken", d.prefillMsPerToken),
    itlMs: number("itlMs", d.itlMs),
    itlGrowth: number("itlGrowth", d.itlGrowth),
    itlJitter: number("itlJitter", d.itlJitter),
    outputLenMean: number("outputLenMean", d.outputLenMean),
    kvCacheTokens: number("kvCacheTokens", d.kvCacheTokens),
    seed: number("seed", d.seed),
    faults: {
      rate429: number("fail-429", f.rate429),
      rate500: number("fail-500", f.rate500),
      rate503: number("fail-503", f.rate503),
      cutRate: number("cutRate", f.cutRate),
      malformedRate: number("malformedRate", f.malformedRate),
      errorEventRate: number("errorEventRate", f.errorEventRate),
      afterTokens: number("faultAfter", f.afterTokens),
      headersDelayMs: number("headersDelayMs", f.headersDelayMs),
      closeConnection: args.closeConnection === true,
    },
    truthLogPath: typeof args.truthLog === "string" ? args.truthLog : null,
  };
  if (problems.length === 0)
    problems.push(...checkSimOptions(options).map((p) => (p.startsWith("fault rates") ? p : `--${p}`)));
  if (problems.length > 0)
    throw new UserError("Cannot start the simulator: invalid options", { details: problems });
  return options;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
