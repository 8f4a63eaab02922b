// Every simulator parameter, its vLLM-like default, and the check that a set of values makes sense.
// Pure: no I/O. `cmd/sim.ts` maps flags onto this; tests and other commands pass partial objects.

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
  /** Token count after which the cut, malformed and error-event faults strike. */
  afterTokens: number;
  /** Delay before any response headers are written, for every request (slow proxy, cold server). */
  headersDelayMs: number;
  /** Send `Connection: close` and close the socket after every streamed response (llama.cpp does). */
  closeConnection: boolean;
}

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
  /** KV-cache size in tokens; only drives the kv_cache_usage_perc gauge, never admission. */
  kvCacheTokens: number;
  seed: number;
  faults: SimFaults;
  /** Write one JSONL line per request with server-side timestamps to this file. */
  truthLogPath: string | null;
}

export const defaultFaults: SimFaults = {
  rate429: 0,
  rate500: 0,
  rate503: 0,
  cutRate: 0,
  malformedRate: 0,
  errorEventRate: 0,
  afterTokens: 5,
  headersDelayMs: 0,
  closeConnection: false,
};

export const simDefaults: SimOptions = {
  host: "127.0.0.1",
  port: 8000,
  model: "sim-model",
  loras: [],
  maxNumSeqs: 256,
  maxModelLen: 32768,
  prefillMs: 20,
  prefillMsPerToken: 0.05,
  itlMs: 10,
  itlGrowth: 0,
  itlJitter: 0,
  outputLenMean: 128,
  kvCacheTokens: 262144,
  seed: 42,
  faults: defaultFaults,
  truthLogPath: null,
};

export type SimOptionsInput = Partial<Omit<SimOptions, "faults">> & { faults?: Partial<SimFaults> };

/** Fill defaults and check every value; throws RangeError naming the first bad option. */
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

/** Every problem with a set of options, as "name: expected …, got …" lines. */
export function checkSimOptions(o: SimOptions): string[] {
  const problems: string[] = [];
  const want = (ok: boolean, name: string, expected: string, got: unknown) => {
    if (!ok) problems.push(`${name}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  const nonNeg = (v: number) => Number.isFinite(v) && v >= 0;
  const fraction = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;
  want(int(o.port, 0) && o.port <= 65535, "port", "an integer from 0 to 65535", o.port);
  want(o.model.length > 0, "model", "a non-empty name", o.model);
  want(int(o.maxNumSeqs, 1), "max-num-seqs", "an integer >= 1", o.maxNumSeqs);
  want(int(o.maxModelLen, 2), "max-model-len", "an integer >= 2", o.maxModelLen);
  want(nonNeg(o.prefillMs), "prefill-ms", "a number >= 0", o.prefillMs);
  want(nonNeg(o.prefillMsPerToken), "prefill-ms-per-token", "a number >= 0", o.prefillMsPerToken);
  want(nonNeg(o.itlMs), "itl-ms", "a number >= 0", o.itlMs);
  want(nonNeg(o.itlGrowth), "itl-growth", "a number >= 0", o.itlGrowth);
  want(nonNeg(o.itlJitter), "itl-jitter", "a number >= 0", o.itlJitter);
  want(
    Number.isFinite(o.outputLenMean) && o.outputLenMean >= 1,
    "output-len-mean",
    "a number >= 1",
    o.outputLenMean,
  );
  want(int(o.kvCacheTokens, 1), "kv-cache-tokens", "an integer >= 1", o.kvCacheTokens);
  want(Number.isInteger(o.seed), "seed", "an integer", o.seed);
  const names = [o.model, ...o.loras];
  want(
    new Set(names).size === names.length && o.loras.every((n) => n.length > 0),
    "lora",
    "distinct non-empty names",
    o.loras,
  );
  const f = o.faults;
  for (const [name, value] of [
    ["fail-429", f.rate429],
    ["fail-500", f.rate500],
    ["fail-503", f.rate503],
    ["cut-rate", f.cutRate],
    ["malformed-rate", f.malformedRate],
    ["error-event-rate", f.errorEventRate],
  ] as const) {
    want(fraction(value), name, "a fraction from 0 to 1", value);
  }
  const total = f.rate429 + f.rate500 + f.rate503 + f.cutRate + f.malformedRate + f.errorEventRate;
  want(total <= 1 + 1e-9, "fault rates", "a sum <= 1", total);
  want(int(f.afterTokens, 0), "fault-after", "an integer >= 0", f.afterTokens);
  want(nonNeg(f.headersDelayMs), "headers-delay-ms", "a number >= 0", f.headersDelayMs);
  return problems;
}
