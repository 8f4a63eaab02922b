// data.otel_trace_replay: trace files (trace_files, globs allowed, or every *.json of trace_directory)
// → the run's replay sessions, in replay order. Reads files here; everything after the read is pure
// (otel-spans, otel-calls, replay-graph, session-plan). Order and ids follow upstream: sessions are
// shuffled with load.base_seed, named `trace<slot>_<session id>`, and duplicated round-robin up to
// duplicate_sessions_target (`…_dup<n>`, each tagged so the server cannot reuse its twin's cache).
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { fileErrorReason, UserError } from "../../cli/errors.ts";
import { createRng } from "../../load/rng.ts";
import type { HubOptions } from "./hub-traces.ts";
import { callsFromSpans } from "./otel-calls.ts";
import { parseTraceDocument } from "./otel-spans.ts";
import { buildReplayGraph } from "./replay-graph.ts";
import { type ReplayPlanOptions, type ReplaySessionPlan, sessionPlan } from "./session-plan.ts";
import { compileTraceFilter, fileRecord, type TraceFilter } from "./trace-filter.ts";
import type { ReplayGraph } from "./types.ts";

export interface OtelReplayConfig extends ReplayPlanOptions {
  trace_directory?: string | null | undefined;
  trace_files?: readonly string[] | null | undefined;
  hf_dataset_path?: string | Record<string, unknown> | null | undefined;
  include_errors: boolean;
  skip_invalid_files: boolean;
  duplicate_sessions_target?: number | null | undefined;
  inject_random_session_id: boolean;
  disable_output_substitution?: boolean | undefined;
  filter?: string | null | undefined;
}

export interface LoadedSessions {
  sessions: ReplaySessionPlan[];
  /** Warning lines: skipped files, error spans, missing parents. */
  notes: string[];
}

const section = "data.otel_trace_replay";

export async function loadOtelSessions(
  cfg: OtelReplayConfig,
  baseSeed: number,
  /** Where a Hugging Face dataset (hf_dataset_path) is found or downloaded. */
  hub: HubOptions = { env: {} },
): Promise<LoadedSessions> {
  const filter = compileTraceFilter(cfg.filter, `${section}.filter`);
  if (cfg.hf_dataset_path !== null && cfg.hf_dataset_path !== undefined)
    return loadHubSessions(cfg, baseSeed, hub, filter);
  const files = await traceFiles(cfg);
  const notes: string[] = [];
  const found: { graph: ReplayGraph; sessionId: string }[] = [];
  let filteredOut = 0;
  for (const file of files) {
    const loaded = await loadTrace(file, cfg.include_errors, filter);
    if (loaded.ok && loaded.filteredOut) {
      filteredOut++;
      continue;
    }
    if (!loaded.ok) {
      if (!cfg.skip_invalid_files)
        throw new UserError(`Cannot replay trace "${file}": ${loaded.problem}`, {
          details: [`Set ${section}.skip_invalid_files: true to skip traces that cannot be replayed`],
        });
      notes.push(`Skipped trace "${file}": ${loaded.problem}`);
      continue;
    }
    for (const note of loaded.notes) notes.push(`Trace "${file}": ${note}`);
    if (loaded.graph.events.length === 0) {
      notes.push(`Skipped trace "${file}": no LLM calls to replay`);
      continue;
    }
    found.push({ graph: loaded.graph, sessionId: loaded.sessionId ?? basename(file, extname(file)) });
  }
  if (filter !== null) notes.push(`The filter kept ${files.length - filteredOut} of ${files.length} traces`);
  if (found.length === 0) {
    if (filteredOut === files.length)
      throw new UserError(
        `${section}.filter: expected it to keep at least one trace, got none of ${files.length}`,
      );
    throw new UserError(
      `${section}: expected at least one trace with LLM calls, got none in ${files.length} file${files.length === 1 ? "" : "s"}`,
    );
  }
  return { sessions: replaySessions(found, cfg, baseSeed), notes };
}

/**
 * Sessions from the rows of a Hugging Face dataset split (each row one trace: its `spans`, and the
 * `session_id` it is named by). A row that cannot be replayed is skipped with a note, as inference-perf
 * skips a session whose graph cannot be built, whatever skip_invalid_files says.
 */
async function loadHubSessions(
  cfg: OtelReplayConfig,
  baseSeed: number,
  hub: HubOptions,
  filter: TraceFilter | null,
): Promise<LoadedSessions> {
  // The hub client is imported when traces come from the hub: every run's start should not evaluate it.
  const { hubDatasetRef, otelHubRows } = await import("./hub-traces.ts");
  const ref = hubDatasetRef(cfg.hf_dataset_path!, `${section}.hf_dataset_path`);
  const rows = await otelHubRows(ref, hub);
  if (!("spans" in rows[0]!.row))
    throw new UserError(
      `${section}.hf_dataset_path: expected rows with a "spans" field, got none in "${ref.repo}"`,
    );
  const notes: string[] = [];
  const found: { graph: ReplayGraph; sessionId: string }[] = [];
  let kept = 0;
  for (const [i, { row, file }] of rows.entries()) {
    const where = `row ${i + 1} of "${ref.repo}" (${basename(file)})`;
    if (filter !== null && !filter(row, where)) continue;
    kept++;
    const sessionId = typeof row.session_id === "string" ? row.session_id : "";
    const source = typeof row.source_id === "string" && row.source_id !== "" ? row.source_id : null;
    const loaded = traceFromDocument(row, cfg.include_errors, source ?? (sessionId || where));
    if (!loaded.ok) {
      notes.push(`Skipped ${where}: ${loaded.problem}`);
      continue;
    }
    for (const note of loaded.notes) notes.push(`${where}: ${note}`);
    if (loaded.graph.events.length === 0) {
      notes.push(`Skipped ${where}: no LLM calls to replay`);
      continue;
    }
    found.push({ graph: loaded.graph, sessionId });
  }
  if (filter !== null) notes.push(`The filter kept ${kept} of ${rows.length} traces`);
  if (kept === 0 && filter !== null)
    throw new UserError(
      `${section}.filter: expected it to keep at least one trace, got none of ${rows.length}`,
    );
  if (found.length === 0)
    throw new UserError(`${section}: expected at least one trace with LLM calls, got none in "${ref.repo}"`);
  return { sessions: replaySessions(found, cfg, baseSeed), notes };
}

/** Shuffled with base_seed, named, duplicated up to the target, tagged where the config asks. */
export function replaySessions(
  found: readonly { graph: ReplayGraph; sessionId: string }[],
  cfg: Pick<OtelReplayConfig, "duplicate_sessions_target" | "inject_random_session_id"> & ReplayPlanOptions,
  baseSeed: number,
  /** A session's id from its slot after the shuffle and its own id (OTel: `trace<slot>_<id>`). */
  name: (slot: number, sessionId: string) => string = (slot, id) => `trace${slot}_${id || `session_${slot}`}`,
): ReplaySessionPlan[] {
  const order = found.map((_, i) => i);
  const rng = createRng(baseSeed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const base = order.map((row, slot) => ({
    ...found[row]!,
    id: name(slot, found[row]!.sessionId),
  }));
  const entries: { graph: ReplayGraph; id: string; duplicate: boolean }[] = base.map((b) => ({
    graph: b.graph,
    id: b.id,
    duplicate: false,
  }));
  const target = cfg.duplicate_sessions_target ?? 0;
  for (let n = 1; entries.length < target; n++) {
    const source = base[(n - 1) % base.length]!;
    entries.push({ graph: source.graph, id: `${source.id}_dup${n}`, duplicate: true });
  }
  return entries.map((e, index) => {
    const tagged = e.duplicate || cfg.inject_random_session_id;
    return sessionPlan(e.graph, e.id, cfg, tagged ? sessionTag(baseSeed, index) : null);
  });
}

/** 16 hex digits from (base_seed, session index): upstream draws a random uuid; ours replays. */
export function sessionTag(baseSeed: number, index: number): string {
  const rng = createRng((baseSeed ^ Math.imul(index + 1, 0x2545f491)) >>> 0);
  let tag = "";
  for (let i = 0; i < 4; i++) tag += rng.int(0x10000).toString(16).padStart(4, "0");
  return tag;
}

type Built =
  | { ok: true; filteredOut?: false; graph: ReplayGraph; sessionId: string | null; notes: string[] }
  | { ok: false; problem: string };
type TraceOutcome = Built | { ok: true; filteredOut: true };

async function loadTrace(
  file: string,
  includeErrors: boolean,
  filter: TraceFilter | null,
): Promise<TraceOutcome> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    return {
      ok: false,
      problem: error instanceof SyntaxError ? `not valid JSON (${error.message})` : fileErrorReason(error),
    };
  }
  if (filter !== null) {
    const parsed = parseTraceDocument(doc);
    if (!parsed.ok) return { ok: false, problem: parsed.problem };
    const record = fileRecord(doc as Record<string, unknown>, parsed.trace.spans, {
      path: file,
      stem: basename(file, extname(file)),
    });
    if (!filter(record, `trace "${file}"`)) return { ok: true, filteredOut: true };
  }
  return traceFromDocument(doc, includeErrors, file);
}

/** One trace document (a file's JSON, or a dataset row) → its replay graph. */
function traceFromDocument(doc: unknown, includeErrors: boolean, source: string): Built {
  const parsed = parseTraceDocument(doc);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  const calls = callsFromSpans(parsed.trace.spans, { includeErrors });
  if (!calls.ok) return { ok: false, problem: calls.problem };
  return {
    ok: true,
    graph: buildReplayGraph(calls.result.calls, source),
    sessionId: parsed.trace.sessionId,
    notes: calls.result.notes,
  };
}

/** The trace files the config names, sorted; missing files and empty folders are errors. */
export async function traceFiles(
  cfg: Pick<OtelReplayConfig, "trace_directory" | "trace_files">,
): Promise<string[]> {
  if (cfg.trace_directory !== null && cfg.trace_directory !== undefined) {
    const dir = cfg.trace_directory;
    let names: string[];
    try {
      if (!(await stat(dir)).isDirectory())
        throw new UserError(`${section}.trace_directory: expected a folder, got the file "${dir}"`);
      names = await readdir(dir);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`Cannot read ${section}.trace_directory "${dir}": ${fileErrorReason(error)}`);
    }
    const files = names
      .filter((n) => n.endsWith(".json"))
      .sort()
      .map((n) => join(dir, n));
    if (files.length === 0)
      throw new UserError(`${section}.trace_directory: expected *.json trace files in "${dir}", got none`);
    return files;
  }
  const listed = cfg.trace_files ?? [];
  const out = new Set<string>();
  for (const [i, entry] of listed.entries()) {
    if (/[*?[]/.test(entry)) {
      // Imported here, not at the top: evaluating tinyglobby costs ~8 ms, which every run's start
      // would pay (docs/PERFORMANCE.md "Start-up").
      const { glob } = await import("tinyglobby");
      for (const match of await glob(entry, { onlyFiles: true, expandDirectories: false })) out.add(match);
      continue;
    }
    let isFile = false;
    try {
      isFile = (await stat(entry)).isFile();
    } catch (error) {
      throw new UserError(`Cannot read ${section}.trace_files[${i}] "${entry}": ${fileErrorReason(error)}`);
    }
    if (!isFile)
      throw new UserError(`${section}.trace_files[${i}]: expected a file, got the folder "${entry}"`);
    if (extname(entry) !== ".json")
      throw new UserError(`${section}.trace_files[${i}]: expected a .json trace file, got "${entry}"`);
    out.add(entry);
  }
  if (out.size === 0)
    throw new UserError(
      `${section}.trace_files: expected at least one trace file, got none matching ${JSON.stringify(listed)}`,
    );
  return [...out].sort();
}
