// data.weka_trace_replay: Weka traces from files (trace_files: one trace per .json file, or a .jsonl of
// traces, as the Hugging Face datasets ship them; or every .json/.jsonl of trace_directory) → the run's
// replay sessions. Reads files here; the rest is pure (weka-trace, weka-calls, replay-graph,
// session-plan). Ids follow upstream (`wekatrace<i>_<trace id>` in load order, then shuffled with
// load.base_seed), duplicates as for OTel.
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileErrorReason, UserError } from "../../cli/errors.ts";
import { SHAKESPEARE_CORIOLANUS } from "../assets/shakespeare.ts";
import type { Tokenizer } from "../types.ts";
import type { HubOptions } from "./hub-traces.ts";
import { type LoadedSessions, replaySessions } from "./load-otel.ts";
import { buildReplayGraph } from "./replay-graph.ts";
import type { ReplayPlanOptions } from "./session-plan.ts";
import type { ReplayGraph } from "./types.ts";
import { wekaCalls } from "./weka-calls.ts";
import { parseWekaTrace, type WekaTrace } from "./weka-trace.ts";

export interface WekaReplayConfig extends ReplayPlanOptions {
  trace_directory?: string | null | undefined;
  trace_files?: readonly string[] | null | undefined;
  hf_dataset_path?: string | Record<string, unknown> | null | undefined;
  skip_invalid_files: boolean;
  duplicate_sessions_target?: number | null | undefined;
  inject_random_session_id: boolean;
  trace_idle_gap_cap_seconds: number;
  default_block_size: number;
  num_dataset_entries: number;
}

const section = "data.weka_trace_replay";
/** Upstream's corpus framing: the synthetic generator's poem prompt, then the text. */
const CORPUS_PROMPT = "Pick as many lines as you can from these poem lines:\n";

export async function loadWekaSessions(
  cfg: WekaReplayConfig,
  opts: {
    tokenizer: Tokenizer;
    baseSeed: number;
    corpusText?: string | null | undefined;
    /** Where a Hugging Face dataset (hf_dataset_path) is found or downloaded. */
    hub?: HubOptions | undefined;
  },
): Promise<LoadedSessions> {
  const notes: string[] = [];
  const traces: { trace: WekaTrace; file: string }[] = [];
  const seen = new Set<string>();
  const keep = (raw: unknown, where: string) => {
    const trace = parseWekaTrace(raw);
    if (typeof trace === "string") return invalid(`${where}: ${trace}`);
    if (seen.has(trace.id))
      throw new UserError(`${section}: expected unique trace ids, got "${trace.id}" twice (${where})`);
    seen.add(trace.id);
    traces.push({ trace, file: where });
  };
  const invalid = (problem: string) => {
    if (!cfg.skip_invalid_files)
      throw new UserError(`Cannot replay Weka trace ${problem}`, {
        details: [`Set ${section}.skip_invalid_files: true to skip traces that cannot be replayed`],
      });
    notes.push(`Skipped Weka trace ${problem}`);
  };
  const files =
    cfg.hf_dataset_path !== null && cfg.hf_dataset_path !== undefined
      ? [await hubTraces(cfg.hf_dataset_path, opts.hub ?? { env: {} })]
      : await wekaFiles(cfg);
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new UserError(`Cannot read Weka trace "${file}": ${fileErrorReason(error)}`);
    }
    if (extname(file) === ".jsonl") {
      const lines = text.split("\n");
      for (const [i, line] of lines.entries()) {
        if (traces.length >= cfg.num_dataset_entries) break;
        if (line.trim() === "") continue;
        try {
          keep(JSON.parse(line), `"${file}" line ${i + 1}`);
        } catch (error) {
          if (error instanceof UserError) throw error;
          invalid(`"${file}" line ${i + 1}: not valid JSON`);
        }
      }
    } else {
      try {
        keep(JSON.parse(text), `"${file}"`);
      } catch (error) {
        if (error instanceof UserError) throw error;
        invalid(`"${file}": not valid JSON`);
      }
    }
  }
  const corpus = opts.tokenizer.encode(CORPUS_PROMPT + (opts.corpusText ?? SHAKESPEARE_CORIOLANUS));
  const found: { graph: ReplayGraph; sessionId: string }[] = [];
  traces.forEach(({ trace }, i) => {
    const calls = wekaCalls(trace, {
      tokenizer: opts.tokenizer,
      corpus,
      baseSeed: opts.baseSeed,
      idleGapCapS: cfg.trace_idle_gap_cap_seconds,
      defaultBlockSize: cfg.default_block_size,
    });
    if (calls.length === 0) {
      notes.push(`Skipped Weka trace "${trace.id}": no requests to replay`);
      return;
    }
    found.push({
      graph: buildReplayGraph(calls, `weka_trace_${trace.id}`),
      sessionId: `wekatrace${i}_${trace.id}`,
    });
  });
  if (found.length === 0)
    throw new UserError(`${section}: expected at least one Weka trace with requests, got none`);
  return { sessions: replaySessions(found, cfg, opts.baseSeed, (_slot, id) => id), notes };
}

async function wekaFiles(cfg: Pick<WekaReplayConfig, "trace_directory" | "trace_files">): Promise<string[]> {
  const isTrace = (name: string) => name.endsWith(".json") || name.endsWith(".jsonl");
  if (cfg.trace_directory !== null && cfg.trace_directory !== undefined) {
    const dir = cfg.trace_directory;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      throw new UserError(`Cannot read ${section}.trace_directory "${dir}": ${fileErrorReason(error)}`);
    }
    const files = names
      .filter(isTrace)
      .sort()
      .map((n) => join(dir, n));
    if (files.length === 0)
      throw new UserError(
        `${section}.trace_directory: expected .json or .jsonl traces in "${dir}", got none`,
      );
    return files;
  }
  const files = [...(cfg.trace_files ?? [])];
  for (const [i, file] of files.entries()) {
    let isFile = false;
    try {
      isFile = (await stat(file)).isFile();
    } catch (error) {
      throw new UserError(`Cannot read ${section}.trace_files[${i}] "${file}": ${fileErrorReason(error)}`);
    }
    if (!isFile)
      throw new UserError(`${section}.trace_files[${i}]: expected a file, got the folder "${file}"`);
  }
  return files;
}

/** The traces file of a hub dataset; the hub client is imported only then (a run's start skips it). */
async function hubTraces(path: string | Record<string, unknown>, hub: HubOptions): Promise<string> {
  const { hubDatasetRef, wekaHubTraces } = await import("./hub-traces.ts");
  return wekaHubTraces(hubDatasetRef(path, `${section}.hf_dataset_path`), hub);
}
