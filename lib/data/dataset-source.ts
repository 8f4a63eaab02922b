// Where the rows of cnn_dailymail, billsum_conversations, infinity_instruct and visionarena come from:
// data.path (a file or a folder) when set, else (cnn_dailymail, visionarena) the Hugging Face cache,
// downloading the split's first file into it once. `ensureHubDataset` runs on the main thread before the
// Workers start, so they find the cache filled and never race to download.
import { UserError } from "../cli/errors.ts";
import type { Config } from "../config/schema.ts";
import { datasetFiles, type Row, readRows } from "./dataset-rows.ts";
import type { Env, FetchLike } from "./hub.ts";
import type { HubDataset } from "./hub-dataset.ts";

/** Rows read at most per file: the pool a benchmark cycles through, not the whole corpus. */
export const MAX_ROWS_PER_FILE = 10_000;

export interface SourceOptions {
  env: Env;
  cacheDir?: string | undefined;
  token?: string | null | undefined;
  fetch?: FetchLike | undefined;
  log?: { info(message: string): void } | undefined;
}

/** The hub dataset a config reads when data.path is not set, or null (a path is needed or given). */
export function hubDatasetOf(data: Config["data"]): HubDataset | null {
  if (data.path !== null) return null;
  if (data.type === "cnn_dailymail") return { repo: "abisee/cnn_dailymail", files: "3.0.0/train-*.parquet" };
  if (data.type === "visionarena") {
    const va = data.visionarena;
    const repo = va?.hf_dataset_name ?? "lmarena-ai/VisionArena-Chat";
    return { repo, files: va?.hf_data_files ?? `**/${va?.hf_split ?? "train"}-*.parquet` };
  }
  return null;
}

function what(data: Config["data"]): string {
  return `the ${data.type} dataset (data.path is not set)`;
}

const offlineHint = "set data.path to a local copy (JSON, JSON lines or Parquet)";

/** Downloads the config's hub dataset into the cache if it is not there yet (main thread, once). */
export async function ensureHubDataset(data: Config["data"], opts: SourceOptions): Promise<void> {
  const ds = hubDatasetOf(data);
  if (ds !== null) await (await hubClient()).hubDatasetFiles(ds, { ...opts, what: what(data), offlineHint });
}

/** The hub client, imported when a dataset comes from the hub: every run's start should not evaluate it. */
function hubClient(): Promise<typeof import("./hub-dataset.ts")> {
  return import("./hub-dataset.ts");
}

/** The dataset's rows, up to `limit` in all (files read in order). */
export async function datasetRows(data: Config["data"], opts: SourceOptions, limit: number): Promise<Row[]> {
  const ds = hubDatasetOf(data);
  let files: string[];
  if (ds !== null)
    files = await (await hubClient()).hubDatasetFiles(ds, { ...opts, what: what(data), offlineHint });
  else if (data.path !== null) files = await datasetFiles(data.path, `${data.type} data`);
  else {
    throw new UserError(
      `data.path: expected a JSON, JSON lines or Parquet file or folder for data.type "${data.type}" (as inference-perf), got nothing`,
    );
  }
  const rows: Row[] = [];
  for (const file of files) {
    if (rows.length >= limit) break;
    rows.push(
      ...(await readRows(file, `${data.type} data`, Math.min(MAX_ROWS_PER_FILE, limit - rows.length))),
    );
  }
  if (rows.length === 0) throw new UserError(`Cannot use ${data.type} data: it has no rows`);
  return rows;
}
