// The config schema: inference-perf's whole config, field for field, plus our additive fields
// (docs/config.md). This is the only definition of the config; types come from it. Pure.
import * as v from "valibot";
import {
  anyMap,
  bool,
  checked,
  int,
  list,
  nonEmptyStr,
  num,
  oneOf,
  opt,
  type PathKey,
  type Problem,
  section,
  str,
  strict,
  stringMap,
} from "./_valibot.ts";
import { dataSchema, type dataTypes } from "./schema-data.ts";
import { type LoadType, loadSchema } from "./schema-load.ts";

const apiSchema = section({
  type: v.optional(oneOf(["completion", "chat", "anthropic_messages"]), "completion"),
  streaming: v.optional(bool(), false),
  headers: opt(stringMap()),
  slo_unit: opt(str()),
  slo_tpot_header: opt(str()),
  slo_ttft_header: opt(str()),
  response_format: opt(
    strict({
      type: v.optional(oneOf(["json_schema", "json_object"]), "json_schema"),
      name: v.optional(str(), "structured_output"),
      json_schema: opt(anyMap()),
    }),
  ),
  session_id_header_key: opt(str()),
  session_token_header_key: opt(str()),
});

type ClientCertPaths = { cert_path: string | null; key_path: string | null };

/** A client certificate comes with its key. (inference-perf quietly sends neither when one is missing.) */
function clientCertProblems(s: ClientCertPaths): Problem[] {
  if ((s.cert_path === null) === (s.key_path === null)) return [];
  const [missing, given] = s.cert_path === null ? ["cert_path", "key_path"] : ["key_path", "cert_path"];
  return [{ path: [missing], expected: `expected a file path, as server.${given} is set (mTLS needs both)` }];
}

const serverSchema = checked(
  strict({
    type: v.optional(oneOf(["vllm", "sglang", "tgi", "mock"]), "vllm"),
    model_name: opt(str()),
    base_url: nonEmptyStr(),
    ignore_eos: v.optional(bool(), true),
    api_key: opt(str()),
    /** PEM client certificate (mTLS), presented when the server asks for one; with key_path. */
    cert_path: opt(nonEmptyStr()),
    /** PEM private key of cert_path's certificate, unencrypted. */
    key_path: opt(nonEmptyStr()),
  }),
  [["cert_path"], ["key_path"]],
  clientCertProblems,
);

type MetricsValue = {
  type: string;
  prometheus: { url: string | null; google_managed: boolean } | null;
  scrape: object | null;
};

function metricsProblems(m: MetricsValue): Problem[] {
  const problems: Problem[] = [];
  const p = m.prometheus;
  if (p !== null && (p.url !== null) === p.google_managed) {
    problems.push({
      path: ["prometheus", "url"],
      expected: "expected exactly one of prometheus.url and prometheus.google_managed: true",
    });
  }
  if (m.type === "prometheus" && p === null) {
    problems.push({
      path: ["prometheus"],
      expected: 'expected a prometheus section (url or google_managed: true) with type "prometheus"',
    });
  }
  if (m.scrape !== null && m.type !== "scrape") {
    problems.push({ path: ["scrape"], expected: 'expected no scrape section unless type is "scrape"' });
  }
  return problems;
}

const urlStr = () => v.pipe(str(), v.url("expected a URL"));

const metricsSchema = checked(
  strict({
    // "scrape" is inferload's addition: no Prometheus server, inferload scrapes /metrics itself.
    type: oneOf(["prometheus", "default", "scrape"]),
    prometheus: opt(
      strict({
        scrape_interval: v.optional(int({ gt: 0 }), 15),
        url: opt(urlStr()),
        filters: v.optional(list(str()), () => []),
        google_managed: v.optional(bool(), false),
      }),
    ),
    scrape: opt(
      strict({
        /** The engine's metrics endpoint; null: server.base_url + /metrics. */
        url: opt(urlStr()),
        interval: v.optional(num({ gt: 0 }), 1),
        /** More /metrics endpoints (other replicas), added together. */
        targets: v.optional(list(urlStr()), () => []),
        filters: v.optional(list(str()), () => []),
      }),
    ),
  }),
  [
    ["prometheus", "url"],
    ["prometheus", "google_managed"],
  ],
  metricsProblems,
);

/** inference-perf's `Optional[bool] = X` report switches: null is accepted and means off. */
function flag(byDefault: boolean) {
  return v.optional(v.nullable(bool()), byDefault);
}

const reportSchema = section({
  request_lifecycle: section({
    summary: flag(true),
    per_stage: flag(true),
    per_request: flag(false),
    per_adapter: flag(true),
    per_adapter_stage: flag(false),
    percentiles: v.optional(list(num({ gt: 0, lt: 100 })), () => [
      0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9,
    ]),
    use_server_output_tokens: v.optional(bool(), false),
    max_error_messages: v.optional(int({ ge: 0 }), 100),
  }),
  prometheus: section({ summary: flag(true), per_stage: flag(false) }),
  session_lifecycle: section({ summary: flag(true), per_stage: flag(true), per_session: flag(false) }),
  // inference-perf reads these five names and ignores any other key; a misspelt one would silently
  // judge nothing, so here it is an unknown key (with a suggestion).
  goodput: opt(
    strict({
      // inference-perf's config-weka.yaml sets `percentile: p90`, a key its goodput model never reads
      // (older versions drop unknown keys silently): accepted so that config loads, and it changes
      // nothing, as there.
      percentile: opt(goodputPercentile()),
      constraints: v.optional(
        strict({
          ttft: v.optional(num({ gt: 0 })),
          tpot: v.optional(num({ gt: 0 })),
          itl: v.optional(num({ gt: 0 })),
          ntpot: v.optional(num({ gt: 0 })),
          request_latency: v.optional(num({ gt: 0 })),
        }),
        () => ({}),
      ),
    }),
  ),
});

/** `p90`, `p99.9` or a number in (0, 100): the spellings a goodput percentile could take. */
function goodputPercentile() {
  const message = 'expected a percentile such as "p90" or a number > 0 and < 100';
  return v.union(
    [
      v.pipe(
        v.string(message),
        v.check(
          (s) => /^p(\d+(\.\d+)?)$/.test(s) && Number(s.slice(1)) > 0 && Number(s.slice(1)) < 100,
          message,
        ),
      ),
      v.pipe(
        v.number(message),
        v.check((n) => n > 0 && n < 100, message),
      ),
    ],
    message,
  );
}

const storageBaseEntries = {
  /** null until resolve.ts fills `reports-YYYYMMDD-HHMMSS`; `{timestamp}` is substituted there too. */
  path: opt(str()),
  report_file_prefix: opt(str()),
};

// `storage: null` in inference-perf saves no reports at all; we keep local reports (see docs/config.md).
const storageSchema = section({
  local_storage: section(storageBaseEntries),
  google_cloud_storage: opt(strict({ ...storageBaseEntries, bucket_name: nonEmptyStr() })),
  simple_storage_service: opt(
    strict({
      ...storageBaseEntries,
      bucket_name: nonEmptyStr(),
      endpoint_url: opt(str()),
      region_name: opt(str()),
      addressing_style: opt(oneOf(["auto", "virtual", "path"])),
    }),
  ),
});

const tokenizerSchema = strict({
  pretrained_model_name_or_path: opt(str()),
  trust_remote_code: opt(bool()),
  token: opt(str()),
  /** inferload addition: count prompt tokens with the server's own /tokenize endpoint (vLLM, llama.cpp). */
  use_server_tokenize: v.optional(bool(), false),
});

// inference-perf's circuit-breaker models are plain pydantic models: unknown keys are dropped, not refused.
const triggerSchema = v.variant(
  "type",
  [
    v.object({ type: v.literal("consecutive"), threshold: int({ ge: 1 }) }),
    v.object({
      type: v.literal("rate_over_window"),
      window_sec: num({ gt: 0 }),
      threshold: num({ ge: 0, le: 1 }),
      min_samples: v.optional(int({ ge: 0 }), 0),
    }),
  ],
  'expected a trigger with type "consecutive" or "rate_over_window"',
);

const circuitBreakerSchema = v.object(
  {
    name: nonEmptyStr(),
    metrics: v.object({
      matches: v.pipe(list(str()), v.minLength(1, "expected at least one expression")),
      rules: v.optional(list(str()), () => []),
    }),
    triggers: list(triggerSchema),
  },
  "expected an object",
);

type TopValue = {
  data: { type: (typeof dataTypes)[number] };
  load: { type: LoadType; circuit_breakers: string[] };
  circuit_breakers: { name: string }[] | null;
};

/** Rules spanning sections. */
export function configProblems(c: TopValue, valid: (path: readonly PathKey[]) => boolean): Problem[] {
  const problems: Problem[] = [];
  if (
    (c.data.type === "otel_trace_replay" || c.data.type === "weka_trace_replay") &&
    c.load.type !== "trace_session_replay"
  ) {
    problems.push({
      path: ["load", "type"],
      expected: `expected "trace_session_replay" with data.type "${c.data.type}"`,
    });
  }
  if (!valid(["load", "circuit_breakers"]) || !valid(["circuit_breakers"])) return problems;
  const names = new Set((c.circuit_breakers ?? []).map((b) => b.name));
  c.load.circuit_breakers.forEach((name, i) => {
    if (!names.has(name)) {
      problems.push({
        path: ["load", "circuit_breakers", i],
        expected: "expected the name of a breaker in circuit_breakers",
      });
    }
  });
  return problems;
}

export const configSchema = checked(
  strict({
    api: apiSchema,
    server: opt(serverSchema),
    data: dataSchema,
    load: loadSchema,
    metrics: opt(metricsSchema),
    report: reportSchema,
    storage: storageSchema,
    tokenizer: opt(tokenizerSchema),
    circuit_breakers: opt(list(circuitBreakerSchema)),
    /** inferload addition: expressions every stage and the whole run must meet, else exit 3 (docs/scripting.md). */
    thresholds: v.optional(list(str()), () => []),
  }),
  [
    ["data", "type"],
    ["load", "type"],
  ],
  configProblems,
);

/** The config as validated, before resolve.ts fills the derived defaults. */
export type ParsedConfig = v.InferOutput<typeof configSchema>;

type ParsedLoad = ParsedConfig["load"];
type ParsedStorage = ParsedConfig["storage"];
type LocalStorage = ParsedStorage["local_storage"];

/**
 * The fully resolved config every consumer reads: every default present, `load.num_workers`,
 * `load.base_seed` and `storage.local_storage.path` filled in. `server` stays nullable, as in
 * inference-perf (`run` falls back to the built-in simulator).
 */
export type Config = Omit<ParsedConfig, "load" | "storage"> & {
  load: Omit<ParsedLoad, "num_workers" | "base_seed"> & { num_workers: number; base_seed: number };
  storage: Omit<ParsedStorage, "local_storage"> & {
    local_storage: Omit<LocalStorage, "path"> & { path: string };
  };
};

export type LoadStage = ParsedLoad["stages"][number];
