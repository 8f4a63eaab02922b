// A dataset split's files from the Hugging Face hub, as inference-perf's `load_dataset(repo, split=…)`
// streams them: found in the hub cache (hub-cache.ts) when a Hugging Face tool or an earlier run put
// them there, else listed on the hub and the first file of the split downloaded into that cache (enough
// for the rows a benchmark cycles through; a larger pool wants a local copy in data.path).
import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { UserError } from "../cli/errors.ts";
import { type Env, type FetchLike, hubEndpoint } from "./hub.ts";
import { hubCacheDir, hubFile, hubOffline, hubToken, repoFolder } from "./hub-cache.ts";

export interface HubDataset {
  repo: string;
  /** Glob over paths in the repo (`*` within a folder, `**` across folders), e.g. `3.0.0/train-*.parquet`. */
  files: string;
}

export interface HubDatasetOptions {
  env: Env;
  cacheDir?: string | undefined;
  token?: string | null | undefined;
  fetch?: FetchLike | undefined;
  log?: { info(message: string): void } | undefined;
  what: string;
  offlineHint: string;
}

/** Local paths of the split's files: every cached one, else the first one on the hub, downloaded. */
export async function hubDatasetFiles(ds: HubDataset, opts: HubDatasetOptions): Promise<string[]> {
  const cacheDir = opts.cacheDir ?? hubCacheDir(opts.env);
  const match = globRegExp(ds.files);
  const cached = cachedFiles(join(cacheDir, repoFolder({ repo: ds.repo, repoType: "dataset" })), match);
  if (cached.length > 0) return cached;
  if (hubOffline(opts.env)) {
    throw new UserError(`Cannot load ${opts.what}: not in the cache`, {
      details: [
        `HF_HUB_OFFLINE=1 forbids downloading it; ${opts.offlineHint} (Hugging Face cache: ${join(cacheDir, repoFolder({ repo: ds.repo, repoType: "dataset" }))})`,
      ],
    });
  }
  const listed = (await listRepo(ds, opts)).filter((path) => match.test(path)).sort();
  const first = listed[0];
  if (first === undefined)
    throw new UserError(`Cannot load ${opts.what}: no file of "${ds.repo}" matches "${ds.files}"`);
  const path = await hubFile({ repo: ds.repo, repoType: "dataset", file: first }, { ...opts, cacheDir });
  if (path === null)
    throw new UserError(`Cannot download ${opts.what}: "${first}" is gone from "${ds.repo}"`);
  return [path];
}

/** Files under the snapshot refs/<revision> names (or the commit itself), whose repo paths match. */
export function cachedFiles(repoDir: string, match: RegExp, revision = "main"): string[] {
  let commit = revision;
  if (!/^[0-9a-f]{40}$/.test(revision)) {
    try {
      commit = readFileSync(join(repoDir, "refs", revision), "utf8").trim();
    } catch {
      return [];
    }
  }
  const root = join(repoDir, "snapshots", commit);
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true, encoding: "utf8" });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (match.test(relative(root, path).split("\\").join("/"))) out.push(path);
    }
  };
  walk(root);
  return out.sort();
}

/** The repo's file paths under the pattern's fixed folder (the hub's tree API). */
function listRepo(ds: HubDataset, opts: HubDatasetOptions): Promise<string[]> {
  const folder = ds.files.split("/").filter((part, i, all) => i < all.length - 1 && !/[*?[]/.test(part));
  const fixed = folder.findIndex((part) => /[*?[]/.test(part));
  const dir = (fixed < 0 ? folder : folder.slice(0, fixed)).join("/");
  return listHubDataset(ds.repo, opts, { dir });
}

/** Every file path of a dataset repo at `revision` (under `dir`), from the hub's tree API. */
export async function listHubDataset(
  repo: string,
  opts: Omit<HubDatasetOptions, "what">,
  where: { dir?: string; revision?: string } = {},
): Promise<string[]> {
  const dir = where.dir ?? "";
  const revision = encodeURIComponent(where.revision ?? "main");
  const ds = { repo };
  const url = `${hubEndpoint(opts.env)}/api/datasets/${ds.repo}/tree/${revision}${dir ? `/${dir}` : ""}?recursive=true`;
  const token = hubToken(opts.env, opts.token);
  const doFetch: FetchLike = opts.fetch ?? ((u, init) => fetch(u, init));
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`Cannot list the files of "${ds.repo}" on ${hubEndpoint(opts.env)}: ${reason}`, {
      details: [`The machine looks offline: ${opts.offlineHint}, or fill the Hugging Face cache elsewhere`],
      cause: error,
    });
  }
  if (!response.ok)
    throw new UserError(`Cannot list the files of "${ds.repo}": HTTP ${response.status} from ${url}`);
  const entries = (await response.json()) as { type?: string; path?: string }[];
  return entries.filter((e) => e.type === "file" && typeof e.path === "string").map((e) => e.path as string);
}

/** A glob as a RegExp over `/`-separated paths: `**` any folders, `*` and `?` within one. */
export function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
