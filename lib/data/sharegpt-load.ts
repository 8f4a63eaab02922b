// ShareGPT I/O: read data.path (a JSON/JSONL file or a folder of them), or download the public
// dataset once from the Hugging Face hub into the cache. Parsing itself is sharegpt-parse.ts.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import type { Env, FetchLike, HubFile } from "./hub.ts";
import { hubFile } from "./hub-cache.ts";
import { type Conversation, parseShareGpt } from "./sharegpt-parse.ts";

/** The dataset inference-perf uses when data.path is not set. */
export const SHAREGPT_HUB_FILE: HubFile = {
  repo: "anon8231489123/ShareGPT_Vicuna_unfiltered",
  repoType: "dataset",
  file: "ShareGPT_V3_unfiltered_cleaned_split.json",
};

export interface ShareGptSourceOptions {
  env: Env;
  /** The Hugging Face hub cache; default HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub. */
  cacheDir?: string | undefined;
  token?: string | null | undefined;
  fetch?: FetchLike | undefined;
  log?: { info(message: string): void } | undefined;
}

export interface LoadedShareGpt {
  conversations: Conversation[];
  skipped: number;
  files: string[];
}

/**
 * The local file holding the public dataset: in the Hugging Face cache, downloaded into it first if it
 * is not there. Call it once from the main thread before workers start, so they never race to download.
 */
export async function ensureShareGptDataset(opts: ShareGptSourceOptions): Promise<string> {
  const path = await hubFile(SHAREGPT_HUB_FILE, {
    env: opts.env,
    cacheDir: opts.cacheDir,
    token: opts.token,
    fetch: opts.fetch,
    log: opts.log,
    what: "the ShareGPT dataset (data.path is not set; about 650 MB)",
    offlineHint: "set data.path to a local ShareGPT JSON file",
  });
  if (path === null)
    throw new UserError(
      `Cannot download the ShareGPT dataset: ${SHAREGPT_HUB_FILE.file} is gone from the hub`,
    );
  return path;
}

/** Read and parse data.path (file or folder), or the cached/downloaded public dataset when it is null. */
export async function loadShareGpt(
  path: string | null | undefined,
  opts: ShareGptSourceOptions,
): Promise<LoadedShareGpt> {
  const target = path ?? (await ensureShareGptDataset(opts));
  const info = await statOrNull(target);
  if (!info) throw new UserError(`Cannot read ShareGPT data "${target}": file not found`);
  const files = info.isDirectory()
    ? (await readdir(target))
        .filter((f) => f.endsWith(".json") || f.endsWith(".jsonl"))
        .sort()
        .map((f) => join(target, f))
    : [target];
  if (files.length === 0)
    throw new UserError(`Cannot read ShareGPT data "${target}": the folder holds no .json or .jsonl file`);
  const conversations: Conversation[] = [];
  let skipped = 0;
  for (const file of files) {
    let parsed: ReturnType<typeof parseShareGpt>;
    try {
      parsed = parseShareGpt(await readFile(file, "utf8"));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UserError(`Cannot read ShareGPT data "${file}": not JSON or JSON lines: ${reason}`);
    }
    conversations.push(...parsed.conversations);
    skipped += parsed.skipped;
  }
  if (conversations.length === 0) {
    throw new UserError(
      `Cannot use ShareGPT data "${target}": no usable conversation (${skipped} rows skipped)`,
      {
        details: [
          'Each row needs "conversations": [{"from": "human", "value": …}, {"from": "gpt", "value": …}]',
        ],
      },
    );
  }
  return { conversations, skipped, files };
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}
