// Everything `run` can check before any load, in one place: the config-only checks
// (lib/config/preflight.ts), the files the config names, and the report folder. `validate` runs the
// same list without creating anything; only the server check (target.ts) is left to `run`, since
// it needs the network.
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isUserError } from "../cli/errors.ts";
import { readClientCertificate } from "../config/client-cert.ts";
import { checkConfig, refusal } from "../config/preflight.ts";
import type { Config } from "../config/schema.ts";
import { compileTraceFilter } from "../data/replay/trace-filter.ts";
import { isHubModelId } from "../data/tokenizer/load.ts";
import { requestSlos } from "../metrics/request-slos.ts";
import { parseMatcher } from "../server-metrics/matchers.ts";
import { expressionProblem } from "./circuit-breaker.ts";
import { claimReportDir, reportDirProblems } from "./report-dir.ts";

export interface PreflightOptions {
  /** --output-dir (overrides storage.local_storage.path). */
  outputDir?: string | undefined;
  /** --overwrite: replace the reports in an existing folder instead of refusing it. */
  overwrite?: boolean | undefined;
  /** The loader named the report folder (LoadedConfig.autoReportPath). */
  autoReportPath: boolean;
}

type Need = "file" | "folder" | "file or folder";

function readable(path: string, need: Need): string | null {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "not found" : "cannot be read";
  }
  if (need === "file" && isDir) return "is a folder, expected a file";
  if (need === "folder" && !isDir) return "is a file, expected a folder";
  try {
    accessSync(path, constants.R_OK);
    if (isDir) readdirSync(path);
  } catch {
    return "permission denied";
  }
  return null;
}

/** One line per file or folder the config names that cannot be read. */
export function fileProblems(config: Config): string[] {
  const wanted: [string, string | null | undefined, Need][] = [
    ["data.path", config.data.type === "shareGPT" ? config.data.path : null, "file or folder"],
    ["data.corpus_file_path", config.data.corpus_file_path, "file"],
    ["data.trace.file", config.data.trace?.file, "file"],
    ["load.trace.file", config.load.trace?.file, "file"],
  ];
  const problems: string[] = [];
  for (const [path, value, need] of wanted) {
    if (value == null || value === "") continue;
    const why = readable(value, need);
    if (why !== null) problems.push(`${path}: cannot read "${value}": ${why}`);
  }
  // The client certificate is read and checked (PEM, key matches) as the run will read it.
  if (config.server !== null && (config.server.cert_path !== null || config.server.key_path !== null)) {
    try {
      readClientCertificate(config.server);
    } catch (error) {
      if (!isUserError(error)) throw error;
      problems.push(...(error.details.length > 0 ? error.details : [error.message]));
    }
  }
  const tokenizer = config.tokenizer?.pretrained_model_name_or_path?.trim() ?? "";
  if (tokenizer !== "") {
    const why = tokenizerProblem(tokenizer);
    if (why !== null) problems.push(`tokenizer.pretrained_model_name_or_path: ${why}`);
  }
  return problems;
}

// A local tokenizer must be readable now; a hub model id is fetched (or found in the cache) when
// the run starts, which needs the network.
function tokenizerProblem(name: string): string | null {
  let isDir: boolean | null = null;
  try {
    isDir = statSync(name).isDirectory();
  } catch {
    return isHubModelId(name) ? null : `cannot read "${name}": not found`;
  }
  const file = isDir ? join(name, "tokenizer.json") : name;
  const why = readable(file, "file");
  return why === null ? null : `cannot read "${file}": ${why}`;
}

function reportRequest(config: Config, options: PreflightOptions) {
  const { local_storage } = config.storage;
  return {
    dir: options.outputDir ?? local_storage.path,
    explicit: options.outputDir !== undefined || !options.autoReportPath,
    overwrite: options.overwrite === true,
    prefix: local_storage.report_file_prefix ?? "",
  };
}

/** metrics.scrape.filters are read as PromQL label matchers by inferload itself: each must be one. */
export function serverMetricsProblems(config: Config): string[] {
  const filters = config.metrics?.type === "scrape" ? (config.metrics.scrape?.filters ?? []) : [];
  return filters.flatMap((text, i) => {
    const parsed = parseMatcher(text);
    return typeof parsed === "string" ? [`metrics.scrape.filters[${i}]: ${parsed}`] : [];
  });
}

/** Every circuit-breaker expression compiles (JMESPath), so a typo stops the run before any load. */
function breakerProblems(config: Config): string[] {
  const problems: string[] = [];
  (config.circuit_breakers ?? []).forEach((breaker, i) => {
    for (const list of ["matches", "rules"] as const) {
      breaker.metrics[list].forEach((expression, j) => {
        const problem = expressionProblem(expression);
        if (problem !== null)
          problems.push(
            `circuit_breakers[${i}].metrics.${list}[${j}]: expected a JMESPath expression, got ${JSON.stringify(expression)} (${problem})`,
          );
      });
    }
  });
  return problems;
}

/** The trace filter (a Python lambda) is read now, so one outside the supported subset stops before any load. */
function filterProblems(config: Config): string[] {
  if (config.data.type !== "otel_trace_replay") return [];
  try {
    compileTraceFilter(config.data.otel_trace_replay?.filter, "data.otel_trace_replay.filter");
    return [];
  } catch (error) {
    if (!isUserError(error)) throw error;
    return [[error.message, ...error.details.slice(0, 2)].join("\n    ")];
  }
}

/** SLO header values that are not numbers: inference-perf warns and ignores them, and so do we. */
function sloNotes(config: Config): string[] {
  return requestSlos(config.api).problems.map((line) => `${line}: no per-request SLO is recorded`);
}

/** Every check that reads only the config and local files, as `validate` and `run` both make them. */
function configProblems(config: Config): { problems: string[]; notes: string[] } {
  const { problems, notes } = checkConfig(config);
  notes.push(...sloNotes(config));
  problems.push(
    ...breakerProblems(config),
    ...filterProblems(config),
    ...fileProblems(config),
    ...serverMetricsProblems(config),
  );
  return { problems, notes };
}

/** For `validate`: every problem `run` would stop at before sending, creating nothing. */
export function preflightProblems(
  config: Config,
  options: PreflightOptions,
): { problems: string[]; notes: string[] } {
  const { problems, notes } = configProblems(config);
  const request = reportRequest(config, options);
  if (request.dir.trim() !== "") problems.push(...reportDirProblems(request));
  return { problems, notes };
}

/**
 * For `run`: the same checks; on any problem a UserError (exit 2) listing them all. Then the report
 * folder is claimed: created, old reports cleared with --overwrite, proven writable.
 */
export function preflightRun(
  config: Config,
  options: PreflightOptions & { name: string },
): { reportDir: string; notes: string[] } {
  const { problems, notes } = configProblems(config);
  if (problems.length > 0) throw refusal(options.name, problems);
  const claimed = claimReportDir(reportRequest(config, options));
  if ("problem" in claimed) throw refusal(options.name, [claimed.problem]);
  return { reportDir: claimed.dir, notes };
}
