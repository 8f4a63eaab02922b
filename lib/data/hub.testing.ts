// Stand-ins for the Hugging Face hub in tests: a fetch that answers from a table, and a hub cache laid
// out as huggingface_hub leaves it (refs/<revision> → commit, snapshot files linked to blobs).
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { FetchLike, HubFile } from "./hub.ts";
import { repoFolder } from "./hub-cache.ts";

/**
 * A fetch that answers from a table of url suffix → [status, body] and records what was asked.
 * `headers` go with every answer, 404s included (the hub names its commit in `x-repo-commit` on both).
 */
export function fakeHub(
  routes: Record<string, [number, string]>,
  headers: Record<string, string> = {},
): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (url: string) => {
    calls.push(url);
    const hit = Object.entries(routes).find(([suffix]) => url.endsWith(suffix));
    const [status, body] = hit?.[1] ?? [404, "not found"];
    return new Response(body, { status, headers });
  };
  return Object.assign(fn, { calls });
}

export const CACHE_COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** Puts `files` (repo path → content) of a dataset repo into the cache at `cacheDir`, as a download would. */
export function cacheDataset(
  cacheDir: string,
  repo: string,
  files: Record<string, string | Uint8Array>,
): void {
  cacheRepo(cacheDir, { repo, repoType: "dataset" }, files);
}

/** Puts `files` (repo path → content) of a model repo into the cache at `cacheDir`, as a download would. */
export function cacheModel(cacheDir: string, repo: string, files: Record<string, string | Uint8Array>): void {
  cacheRepo(cacheDir, { repo, repoType: "model" }, files);
}

function cacheRepo(
  cacheDir: string,
  ref: Pick<HubFile, "repo" | "repoType">,
  files: Record<string, string | Uint8Array>,
): void {
  const root = join(cacheDir, repoFolder(ref));
  mkdirSync(join(root, "refs"), { recursive: true });
  writeFileSync(join(root, "refs", "main"), CACHE_COMMIT);
  for (const [path, content] of Object.entries(files)) {
    const blob = join(root, "blobs", `${Buffer.from(path).toString("hex").slice(0, 32)}`);
    mkdirSync(dirname(blob), { recursive: true });
    writeFileSync(blob, content);
    const snapshot = join(root, "snapshots", CACHE_COMMIT, path);
    mkdirSync(dirname(snapshot), { recursive: true });
    symlinkSync(relative(dirname(snapshot), blob), snapshot);
  }
}
