// Session traces from a Hugging Face dataset (`hf_dataset_path`), found in the hub cache or downloaded
// into it as the other hub datasets are (hub-cache.ts). Weka: the dataset's `traces.jsonl`, one file, as
// inference-perf's `hf_hub_download(repo, "traces.jsonl")`. OTel: the rows of a split, as
// `datasets.load_dataset(path, split=…, revision=…)` gives them: its files chosen by the `datasets`
// library's rules (data_files when given, else the split's name in a file or folder name, else every
// data file is `train`), each JSON, JSON lines or Parquet. Runs on the main thread before the Workers.
import { join } from "node:path";
import { UserError } from "../../cli/errors.ts";
import { type Row, readRows } from "../dataset-rows.ts";
import type { Env, FetchLike } from "../hub.ts";
import { hubCacheDir, hubFile, hubOffline, repoFolder } from "../hub-cache.ts";
import { cachedFiles, globRegExp, listHubDataset } from "../hub-dataset.ts";

export interface HubOptions {
  env: Env;
  cacheDir?: string | undefined;
  token?: string | null | undefined;
  fetch?: FetchLike | undefined;
  log?: { info(message: string): void; warn?(message: string): void } | undefined;
}

/** hf_dataset_path: `"org/name"`, or `{path, revision?, split?, data_files?}` (load_dataset's keywords). */
export interface HubDatasetRef {
  repo: string;
  revision: string;
  split: string;
  dataFiles: string[] | null;
}

/** The reference a config's hf_dataset_path names; config-checked (check-sessions.ts) before this runs. */
export function hubDatasetRef(value: string | Record<string, unknown>, path: string): HubDatasetRef {
  if (typeof value === "string") return { repo: value, revision: "main", split: "train", dataFiles: null };
  const repo = value.path;
  if (typeof repo !== "string" || repo === "")
    throw new UserError(
      `${path}.path: expected a Hugging Face dataset id, got ${JSON.stringify(repo ?? null)}`,
    );
  const text = (key: string, fallback: string) =>
    typeof value[key] === "string" ? (value[key] as string) : fallback;
  const files = value.data_files;
  const dataFiles =
    typeof files === "string"
      ? [files]
      : Array.isArray(files)
        ? files.filter((f) => typeof f === "string")
        : null;
  return { repo, revision: text("revision", "main"), split: text("split", "train"), dataFiles };
}

const WEKA_FILE = "traces.jsonl";

/** The local path of a Weka dataset's traces.jsonl (cached, else downloaded once). */
export async function wekaHubTraces(ref: HubDatasetRef, opts: HubOptions): Promise<string> {
  const what = `the Weka traces of "${ref.repo}" (data.weka_trace_replay.hf_dataset_path)`;
  const path = await hubFile(
    { repo: ref.repo, repoType: "dataset", file: WEKA_FILE },
    {
      ...opts,
      what,
      offlineHint: `download its ${WEKA_FILE} and name it in data.weka_trace_replay.trace_files`,
    },
  );
  if (path === null) throw new UserError(`Cannot load ${what}: the dataset has no ${WEKA_FILE}`);
  return path;
}

const DATA_FILE = /\.(jsonl|json|parquet)$/;

/**
 * The OTel trace rows of a dataset split, with the file each came from. The hub's listing says which
 * files the split has (each then found in the cache or downloaded); offline (HF_HUB_OFFLINE, or the
 * hub unreachable) the files of the cached snapshot stand in for the listing.
 */
export async function otelHubRows(
  ref: HubDatasetRef,
  opts: HubOptions,
): Promise<{ row: Row; file: string }[]> {
  const what = `the OTel traces of "${ref.repo}" (data.otel_trace_replay.hf_dataset_path)`;
  const offlineHint = "download the dataset's files and name them with trace_files or trace_directory";
  const cacheDir = opts.cacheDir ?? hubCacheDir(opts.env);
  const repoDir = join(cacheDir, repoFolder({ repo: ref.repo, repoType: "dataset" }));
  const snapshot = new Map<string, string>(); // repo path → cached file
  for (const file of cachedFiles(repoDir, /.*/, ref.revision))
    snapshot.set(
      file.slice(file.indexOf("/snapshots/") + "/snapshots/".length).replace(/^[^/]+\//, ""),
      file,
    );
  const fromCache = () =>
    readAll(
      splitFiles([...snapshot.keys()], ref).map((f) => snapshot.get(f)!),
      what,
    );
  if (hubOffline(opts.env)) {
    if (snapshot.size > 0) return fromCache();
    throw new UserError(`Cannot load ${what}: not in the cache`, {
      details: [`HF_HUB_OFFLINE=1 forbids downloading it; ${offlineHint} (Hugging Face cache: ${repoDir})`],
    });
  }
  let listed: string[];
  try {
    listed = await listHubDataset(ref.repo, { ...opts, cacheDir, offlineHint }, { revision: ref.revision });
  } catch (error) {
    if (!(error instanceof UserError) || snapshot.size === 0) throw error;
    opts.log?.warn?.(`${error.message}; using the files of "${ref.repo}" in the Hugging Face cache`);
    return fromCache();
  }
  const files: string[] = [];
  for (const file of splitFiles(listed, ref)) {
    const local = await hubFile(
      { repo: ref.repo, repoType: "dataset", file },
      { ...opts, cacheDir, revision: ref.revision, what, offlineHint },
    );
    if (local === null) throw new UserError(`Cannot download ${what}: "${file}" is gone from the hub`);
    files.push(local);
  }
  return readAll(files, what);
}

async function readAll(files: string[], what: string): Promise<{ row: Row; file: string }[]> {
  const rows: { row: Row; file: string }[] = [];
  for (const file of files) for (const row of await readRows(file, what)) rows.push({ row, file });
  if (rows.length === 0) throw new UserError(`Cannot load ${what}: no data found in its files`);
  return rows;
}

const SPLIT_KEYWORDS: Record<string, string[]> = {
  train: ["train", "training"],
  validation: ["validation", "valid", "dev", "val"],
  test: ["test", "testing", "eval", "evaluation"],
};

/**
 * The data files of a split, by the `datasets` library's rules for a repo without a loading script:
 * the data_files globs when given; else files whose name, or a folder on whose path, is the split's
 * keyword (alone, or set off by one of `-._ ` and digits: `train-00000-of-00002.parquet`,
 * `data/train/part.jsonl`); else, when no file names any split, every data file as `train`.
 */
export function splitFiles(
  paths: readonly string[],
  ref: Pick<HubDatasetRef, "repo" | "split" | "dataFiles">,
): string[] {
  const data = paths
    .filter((p) => !p.split("/").some((part) => part.startsWith(".")) && DATA_FILE.test(p))
    .sort();
  const others = paths.filter((p) => /\.(csv|tsv|arrow|txt|parquet\.gz|json\.gz|jsonl\.gz)$/.test(p));
  let chosen: string[];
  if (ref.dataFiles !== null) {
    const globs = ref.dataFiles.map(globRegExp);
    chosen = data.filter((p) => globs.some((g) => g.test(p)));
  } else {
    const named = (p: string, split: string) =>
      (SPLIT_KEYWORDS[split] ?? [split]).some((k) => {
        const re = new RegExp(
          `^(?:.*[-._ 0-9])?${k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:[-._ 0-9].*)?$`,
        );
        return p.split("/").some((part) => re.test(part));
      });
    const anySplit = data.some(
      (p) => Object.keys(SPLIT_KEYWORDS).some((s) => named(p, s)) || named(p, ref.split),
    );
    chosen = anySplit ? data.filter((p) => named(p, ref.split)) : ref.split === "train" ? data : [];
  }
  if (chosen.length === 0) {
    const hint =
      others.length > 0 && data.length === 0
        ? ` (it holds ${others.slice(0, 3).join(", ")}: only JSON, JSON lines and Parquet are read)`
        : "";
    throw new UserError(
      `Cannot load the traces of "${ref.repo}": no data file of its split "${ref.split}"${hint}`,
    );
  }
  return chosen;
}
