// Writes a run's report set through local storage with inference-perf's file names, honouring
// report.request_lifecycle.{summary, per_stage, per_request, per_adapter, per_adapter_stage}:
//   summary_lifecycle_metrics.json, stage_{i}_lifecycle_metrics.json,
//   per_request_lifecycle_metrics.json, adapter_{name}_lifecycle_metrics.json,
//   adapter_{name}_stage_{i}_lifecycle_metrics.json, config.yaml
// under storage.local_storage.path with report_file_prefix. Buckets without requests get no file, as
// in inference-perf. `writeStageReport` lets the runner save each stage as it ends (crash safety).
import { basename, dirname, join } from "node:path";
import { isReported } from "../load/stage.ts";
import type { RunReport, StageResult } from "../metrics/collector.ts";
import { defaultPercentiles } from "../metrics/percentiles.ts";
import { type RequestSlos, requestSlos, type SloConfig } from "../metrics/request-slos.ts";
import type { EnrichedSession, SessionStageInfo } from "../metrics/session-metrics.ts";
import { createLocalStorage, type LocalStorage } from "../storage/local.ts";
import { perRequestEntry } from "./per-request-json.ts";
import { pythonJson } from "./py-json.ts";
import { readRecords } from "./records.ts";
import { isKindOn, type LifecycleSwitches, reportSet, stageEntry } from "./report-set.ts";
import { type SessionSwitches, sessionReportFiles } from "./session-json.ts";

/** The slice of the resolved config this module reads; the full `Config` satisfies it. */
export interface WriteConfig {
  report: {
    request_lifecycle: LifecycleSwitches & {
      percentiles?: readonly number[] | null | undefined;
      max_error_messages?: number | null | undefined;
    };
    session_lifecycle?: SessionSwitches | null | undefined;
  };
  /** api.headers and the slo_* fields: the per-request SLO targets. */
  api?: SloConfig | undefined;
  storage?:
    | {
        local_storage?:
          | { path?: string | null | undefined; report_file_prefix?: string | null | undefined }
          | null
          | undefined;
      }
    | null
    | undefined;
}

export interface WriteOptions {
  /** Report directory; defaults to storage.local_storage.path. */
  dir?: string | undefined;
  /** The resolved, redacted config as YAML, saved as config.yaml. */
  configYaml?: string | undefined;
  /** Extra top-level keys for every lifecycle report (fingerprints, version ...). */
  extra?: Readonly<Record<string, unknown>> | undefined;
  /** The run's per-request records (JSONL), the source of per_request_lifecycle_metrics.json. */
  perRequestRecords?: string | undefined;
  /** Session workloads: the sessions, for the session_lifecycle reports. */
  sessions?: { sessions: readonly EnrichedSession[]; stages: readonly SessionStageInfo[] } | undefined;
}

/** The directory reports go to: --output-dir, else storage.local_storage.path; null when storage is off. */
export function reportDir(config: WriteConfig, outputDir?: string): string | null {
  return outputDir ?? config.storage?.local_storage?.path ?? null;
}

const recordsFileName = "per_request_records.jsonl";

/** Where the run should stream per-request records (JSONL) for this config, or undefined. */
export function perRequestRecordsPath(config: WriteConfig, dir: string | null): string | undefined {
  if (dir === null || !isKindOn(config.report.request_lifecycle, "per_request")) return undefined;
  return join(dir, `${prefixOf(config)}${recordsFileName}`);
}

/** The config.yaml a run saved beside its records file: same directory, same report_file_prefix. */
export function savedConfigPath(recordsPath: string): string {
  const name = basename(recordsPath);
  const prefix = name.endsWith(recordsFileName) ? name.slice(0, -recordsFileName.length) : "";
  return join(dirname(recordsPath), `${prefix}config.yaml`);
}

/**
 * Saves config.yaml as the run starts, so an interrupted or crashed run keeps it beside whatever it
 * wrote. Returns its path, or null when storage is off.
 */
export function writeConfigYaml(
  config: WriteConfig,
  options: { dir?: string | undefined; configYaml: string },
) {
  return storageFor(config, options.dir)?.write("config.yaml", options.configYaml) ?? null;
}

/**
 * Writes one stage's report now, as the stage ends, so a crash later in the run keeps it. Returns its
 * path, or null when per_stage is off, the stage had no requests, or the write failed (never throws:
 * writeReports rewrites every stage file at the end and reports its own errors).
 */
export function writeStageReport(
  stage: StageResult,
  config: WriteConfig,
  options: WriteOptions & { interrupted?: boolean },
): string | null {
  const storage = storageFor(config, options.dir);
  if (storage === null || !isKindOn(config.report.request_lifecycle, "stage") || stage.metrics.count === 0)
    return null;
  const entry = stageEntry(stage, { interrupted: options.interrupted, extra: options.extra });
  try {
    return storage.write(entry.file, toJson(entry.report));
  } catch {
    return null;
  }
}

/** Writes config.yaml, the report set (report-set.ts) and the per-request JSON; returns their paths. */
export async function writeReports(
  report: RunReport,
  config: WriteConfig,
  options: WriteOptions,
): Promise<string[]> {
  const storage = storageFor(config, options.dir);
  if (storage === null) return [];
  const switches = config.report.request_lifecycle;
  const written: string[] = [];
  if (options.configYaml !== undefined) written.push(storage.write("config.yaml", options.configYaml));
  for (const entry of reportSet(report, { switches, extra: options.extra })) {
    written.push(storage.write(entry.file, toJson(entry.report)));
  }
  if (isKindOn(switches, "per_request") && options.perRequestRecords !== undefined) {
    const slos = config.api === undefined ? undefined : requestSlos(config.api);
    written.push(await writePerRequestJson(options.perRequestRecords, storage, slos));
  }
  if (options.sessions !== undefined) {
    const files = sessionReportFiles(
      options.sessions,
      config.report.session_lifecycle ?? {},
      switches.percentiles ?? defaultPercentiles,
      switches.max_error_messages ?? 100,
    );
    for (const { file, report: contents } of files) written.push(storage.write(file, toJson(contents)));
  }
  return written;
}

/**
 * Converts the per-request JSONL into inference-perf's JSON array, streaming (one record in memory at
 * a time), into a temporary file renamed at the end.
 */
async function writePerRequestJson(
  recordsPath: string,
  storage: LocalStorage,
  slos: RequestSlos | undefined,
): Promise<string> {
  // Session names come from the session lines, which follow their requests: read them first (one
  // small entry per session).
  const names = new Map<string, string>();
  const labels = new Map<string, readonly (Readonly<Record<string, string>> | null)[]>();
  for await (const line of readRecords(recordsPath)) {
    if (!("session" in line)) continue;
    const key = `${line.session.stageId}:${line.session.session}`;
    names.set(key, line.session.name);
    if (line.session.callLabels !== undefined) labels.set(key, line.session.callLabels);
  }
  const file = storage.open("per_request_lifecycle_metrics.json");
  try {
    let buffer = "[";
    let first = true;
    for await (const line of readRecords(recordsPath)) {
      if (!("record" in line) || !isReported(line.record.stageId)) continue;
      const r = line.record;
      const key = `${r.stageId}:${r.session}`;
      const name = r.session < 0 ? null : (names.get(key) ?? null);
      const callLabels = r.session < 0 ? null : (labels.get(key)?.[r.index] ?? null);
      const entry = JSON.stringify(perRequestEntry(r, slos, name, callLabels), null, 2).replace(
        /\n/g,
        "\n  ",
      );
      buffer += `${first ? "\n  " : ",\n  "}${entry}`;
      first = false;
      if (buffer.length > 64 * 1024) {
        file.append(buffer);
        buffer = "";
      }
    }
    file.append(`${buffer}${first ? "]" : "\n]"}\n`);
    return file.commit();
  } catch (error) {
    file.discard();
    throw error;
  }
}

function storageFor(config: WriteConfig, dir: string | undefined): LocalStorage | null {
  const resolved = reportDir(config, dir);
  return resolved === null ? null : createLocalStorage(resolved, prefixOf(config));
}

function prefixOf(config: WriteConfig): string {
  return config.storage?.local_storage?.report_file_prefix ?? "";
}

/**
 * A report file's text as inference-perf's local storage writes it: Python's
 * `json.dumps(report, indent=2)`, floats as Python writes them, no trailing newline.
 */
export function toJson(value: unknown): string {
  return pythonJson(value, { indent: 2 });
}
