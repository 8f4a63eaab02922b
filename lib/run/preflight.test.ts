import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { build, oneStage } from "../config/facts.testing.ts";
import { tempDirForTests } from "../storage/temp-dir.testing.ts";
import { fileProblems, preflightProblems, preflightRun, serverMetricsProblems } from "./preflight.ts";

const root = tempDirForTests("inferload-preflight-");
const file = join(root, "file.csv");
writeFileSync(file, "x");
const folder = join(root, "folder");
mkdirSync(folder);
const missing = join(root, "missing.json");

function configWith(raw: Record<string, unknown>) {
  return build({ load: oneStage, ...raw }).config;
}

describe("fileProblems()", () => {
  test.each([
    [{ data: { type: "shareGPT", path: missing } }, `data.path: cannot read "${missing}": not found`],
    [
      { data: { type: "synthetic", corpus_file_path: folder } },
      `data.corpus_file_path: cannot read "${folder}": is a folder, expected a file`,
    ],
    [
      { data: { type: "random", trace: { file: missing } } },
      `data.trace.file: cannot read "${missing}": not found`,
    ],
    [
      { load: { type: "trace_replay", trace: { file: missing }, stages: [{ rate: 1, duration: 1 }] } },
      `load.trace.file: cannot read "${missing}": not found`,
    ],
    [
      { server: { base_url: "https://h", cert_path: missing, key_path: file } },
      `server.cert_path: cannot read "${missing}": file not found`,
    ],
    [
      { tokenizer: { pretrained_model_name_or_path: "./no/such/tokenizer.json" } },
      'tokenizer.pretrained_model_name_or_path: cannot read "./no/such/tokenizer.json": not found',
    ],
    [
      { tokenizer: { pretrained_model_name_or_path: folder } },
      `tokenizer.pretrained_model_name_or_path: cannot read "${join(folder, "tokenizer.json")}": not found`,
    ],
  ])("finds %j unreadable", (raw, line) => {
    expect(fileProblems(configWith(raw))).toEqual([line]);
  });

  test.each([
    [{ data: { type: "shareGPT", path: folder } }],
    [{ data: { type: "shareGPT", path: file } }],
    [{ data: { type: "random", trace: { file } } }],
    // A hub model id is fetched when the run starts: it needs the network, so it is not checked here.
    [{ tokenizer: { pretrained_model_name_or_path: "meta-llama/Llama-3.1-8B" } }],
  ])("accepts %j", (raw) => {
    expect(fileProblems(configWith(raw))).toEqual([]);
  });
});

describe("serverMetricsProblems()", () => {
  test("every scrape filter must be a label matcher, named by its index", () => {
    const config = configWith({
      metrics: { type: "scrape", scrape: { filters: ['namespace="a"', "namespace", 'pod=~"("'] } },
    });
    expect(serverMetricsProblems(config)).toEqual([
      'metrics.scrape.filters[1]: expected a label matcher such as namespace="default", got "namespace"',
      'metrics.scrape.filters[2]: expected a valid regular expression in "pod=~"(""',
    ]);
    expect(serverMetricsProblems(configWith({}))).toEqual([]);
  });
});

describe("preflightProblems() and preflightRun()", () => {
  test("validate and run find the same problems; run throws them as one config error", () => {
    const config = configWith({
      server: { base_url: "http://h:99999" },
      data: { type: "shareGPT", path: missing },
    });
    const { problems } = preflightProblems(config, { autoReportPath: true });
    expect(problems).toHaveLength(2);
    const error = (() => {
      try {
        preflightRun(config, { autoReportPath: true, name: "b.yaml" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).details).toEqual(problems);
  });

  test("an OTel trace filter outside the supported subset is a problem validate reports, with its column", () => {
    const config = build({
      load: { type: "trace_session_replay", stages: [{ concurrent_sessions: 1 }] },
      api: { type: "chat" },
      data: {
        type: "otel_trace_replay",
        otel_trace_replay: { trace_files: [file], filter: "lambda x: x.benchmark == 'a'" },
      },
    }).config;
    const { problems } = preflightProblems(config, { autoReportPath: true });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.split("\n").map((l) => l.trim())).toEqual([
      'data.otel_trace_replay.filter: cannot use this filter: reading the attribute .benchmark (a record is a dict: write x["benchmark"] or x.get("benchmark"))',
      "lambda x: x.benchmark == 'a'",
      "^",
    ]);
  });

  test("run claims the report folder only once every other check passed", () => {
    const out = join(root, "never-made");
    const config = configWith({ server: { base_url: "ftp://h" } });
    expect(() => preflightRun(config, { autoReportPath: false, outputDir: out, name: "b.yaml" })).toThrow(
      'Cannot run config "b.yaml": 1 problem',
    );
    expect(existsSync(out)).toBe(false);
  });

  test("run returns the folder it claimed", () => {
    const out = join(root, "claimed");
    const config = configWith({});
    expect(preflightRun(config, { autoReportPath: false, outputDir: out, name: "b.yaml" })).toEqual({
      reportDir: out,
      notes: [],
    });
    expect(existsSync(out)).toBe(true);
  });
});
