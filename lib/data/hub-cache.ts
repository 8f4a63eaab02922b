// Hugging Face ids resolved as huggingface_hub resolves them, in the cache it shares with every HF tool:
// HF_HUB_CACHE, else HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub (~/.cache/huggingface/hub);
// `models--ORG--NAME` (`datasets--…`) holding `refs/<revision>` (a commit hash), `snapshots/<commit>/<file>`
// links into `blobs/<etag>`. A file found there is used without any network; HF_HUB_OFFLINE forbids
// downloading one that is not; a download lands in the same layout, so the next run of either tool finds
// it. HF_TOKEN (or the token file `huggingface-cli login` writes) authorises gated repos.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { UserError } from "../cli/errors.ts";
import { type Env, type FetchLike, type HubFile, hubEndpoint } from "./hub.ts";

/** The hub cache folder huggingface_hub uses for this environment. */
export function hubCacheDir(env: Env): string {
  const set = (name: string) => (env[name] && env[name].length > 0 ? env[name] : null);
  return set("HF_HUB_CACHE") ?? set("HUGGINGFACE_HUB_CACHE") ?? join(hfHome(env), "hub");
}

function hfHome(env: Env): string {
  if (env.HF_HOME && env.HF_HOME.length > 0) return env.HF_HOME;
  const xdg =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(xdg, "huggingface");
}

/** HF_HUB_OFFLINE as huggingface_hub reads it: 1, ON, YES or TRUE (any case). */
export function hubOffline(env: Env): boolean {
  return ["1", "ON", "YES", "TRUE"].includes((env.HF_HUB_OFFLINE ?? "").trim().toUpperCase());
}

/** The token: the config's, else HF_TOKEN (or its old name), else the file `huggingface-cli login` wrote. */
export function hubToken(env: Env, configured?: string | null): string | undefined {
  const token = configured ?? env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  if (token) return token;
  const file =
    env.HF_TOKEN_PATH && env.HF_TOKEN_PATH.length > 0 ? env.HF_TOKEN_PATH : join(hfHome(env), "token");
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `models--org--name` or `datasets--org--name`. */
export function repoFolder(f: Pick<HubFile, "repo" | "repoType">): string {
  return `${f.repoType}s--${f.repo.split("/").join("--")}`;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** The cached file of `f` at `revision` (a branch, tag or commit), or null: huggingface_hub's try_to_load_from_cache. */
export function cachedHubFile(cacheDir: string, f: HubFile, revision = "main"): string | null {
  const repo = join(cacheDir, repoFolder(f));
  const commit = cachedCommit(repo, revision);
  if (commit === null) return null;
  const path = join(repo, "snapshots", commit, f.file);
  return existsSync(path) ? path : null;
}

/**
 * Whether the cache knows the hub has no `f` at `revision`: huggingface_hub's `.no_exist/<commit>/<path>`
 * marker, left by a 404 (by either tool), so an optional file that is not there costs no request next time.
 */
export function knownAbsent(cacheDir: string, f: HubFile, revision = "main"): boolean {
  const repo = join(cacheDir, repoFolder(f));
  const commit = cachedCommit(repo, revision);
  return commit !== null && existsSync(join(repo, ".no_exist", commit, f.file));
}

/** The commit `revision` names in the cached repo folder `repo`: itself when a hash, else refs/<revision>. */
function cachedCommit(repo: string, revision: string): string | null {
  if (COMMIT.test(revision)) return revision;
  try {
    return readFileSync(join(repo, "refs", revision), "utf8").trim();
  } catch {
    return null;
  }
}

export interface HubFetchOptions {
  env: Env;
  /** The hub cache folder; default hubCacheDir(env). */
  cacheDir?: string | undefined;
  token?: string | null | undefined;
  fetch?: FetchLike | undefined;
  revision?: string | undefined;
  timeoutMs?: number | undefined;
  log?: { info(message: string): void } | undefined;
  /** What the file is, for messages: "the tokenizer of …", "the ShareGPT dataset". */
  what: string;
  /** Extra advice when offline, e.g. "set data.path to a local copy". */
  offlineHint: string;
  /** The file may be missing (tokenizer_config.json, chat_template.jinja): offline and not cached, it is null. */
  optional?: boolean | undefined;
}

/**
 * The local path of a hub file: from the cache when there, else downloaded into it (refused under
 * HF_HUB_OFFLINE, or when the machine is offline, with what to do). Null when the hub has no such file.
 */
export async function hubFile(f: HubFile, opts: HubFetchOptions): Promise<string | null> {
  const cacheDir = opts.cacheDir ?? hubCacheDir(opts.env);
  const revision = opts.revision ?? "main";
  const cached = cachedHubFile(cacheDir, f, revision);
  if (cached !== null) return cached;
  if (knownAbsent(cacheDir, f, revision)) return null;
  const where = join(cacheDir, repoFolder(f));
  if (hubOffline(opts.env)) {
    if (opts.optional) return null;
    throw new UserError(`Cannot load ${opts.what}: not in the cache`, {
      details: [
        `HF_HUB_OFFLINE=1 forbids downloading it; ${opts.offlineHint} (Hugging Face cache: ${where})`,
      ],
    });
  }
  opts.log?.info(`Downloading "${f.file}" of "${f.repo}" into the Hugging Face cache ${where} (once)`);
  return download(f, cacheDir, revision, opts);
}

async function download(
  f: HubFile,
  cacheDir: string,
  revision: string,
  opts: HubFetchOptions,
): Promise<string | null> {
  const prefix = f.repoType === "dataset" ? "/datasets" : "";
  const url = `${hubEndpoint(opts.env)}${prefix}/${f.repo}/resolve/${encodeURIComponent(revision)}/${f.file}`;
  const token = hubToken(opts.env, opts.token);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const doFetch: FetchLike = opts.fetch ?? ((u, init) => fetch(u, init));
  let response: Response;
  try {
    response = await doFetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(
      `Cannot download "${f.file}" of "${f.repo}" from ${hubEndpoint(opts.env)}: ${reason}`,
      {
        details: [`The machine looks offline: ${opts.offlineHint}, or fill the Hugging Face cache elsewhere`],
        cause: error,
      },
    );
  }
  if (response.status === 404) {
    await rememberAbsent(f, cacheDir, revision, response.headers.get("x-repo-commit"));
    return null;
  }
  if (response.status === 401 || response.status === 403) {
    throw new UserError(
      `Cannot download "${f.file}" of "${f.repo}": access denied (HTTP ${response.status})`,
      {
        details: [
          token
            ? "The token was refused: check that it is valid and that you accepted the repository's terms on the hub."
            : "The repository may be gated or private: set tokenizer.token or the HF_TOKEN environment variable.",
        ],
      },
    );
  }
  if (!response.ok) {
    throw new UserError(`Cannot download "${f.file}" of "${f.repo}": HTTP ${response.status} from ${url}`);
  }
  const body = new Uint8Array(await response.arrayBuffer());
  // The commit and the blob's etag, as the hub names them (the etag of an LFS file is its sha256);
  // a server that sends neither (a plain mirror) gets the revision and the content's sha256.
  const commit = response.headers.get("x-repo-commit") ?? revision;
  const etag = (response.headers.get("x-linked-etag") ?? response.headers.get("etag") ?? "")
    .replace(/^W\//, "")
    .replace(/"/g, "");
  // node:crypto on first use only: the compiled binary loads every statically imported node: module
  // at each thread's start (docs/PERFORMANCE.md "Start-up").
  const blobName =
    etag.length > 0
      ? etag
      : process.getBuiltinModule("node:crypto").createHash("sha256").update(body).digest("hex");
  const repo = join(cacheDir, repoFolder(f));
  const blob = join(repo, "blobs", blobName);
  await writeAtomically(blob, body);
  const snapshot = join(repo, "snapshots", commit, f.file);
  await mkdir(dirname(snapshot), { recursive: true });
  await rm(snapshot, { force: true });
  try {
    await symlink(relative(dirname(snapshot), blob), snapshot);
  } catch {
    await writeAtomically(snapshot, body); // no symlinks here (as huggingface_hub does on Windows)
  }
  if (!COMMIT.test(revision) || commit !== revision)
    await writeAtomically(join(repo, "refs", revision), commit);
  return snapshot;
}

/**
 * Leaves the `.no_exist` marker huggingface_hub leaves for a 404, at the commit the hub names (else the one
 * the cache holds for `revision`; with neither, e.g. an unknown repo, nothing is remembered).
 */
async function rememberAbsent(
  f: HubFile,
  cacheDir: string,
  revision: string,
  commitHeader: string | null,
): Promise<void> {
  const repo = join(cacheDir, repoFolder(f));
  const commit = commitHeader ?? cachedCommit(repo, revision);
  if (commit === null) return;
  try {
    await writeAtomically(join(repo, ".no_exist", commit, f.file), "");
    if (commitHeader !== null && commit !== revision)
      await writeAtomically(join(repo, "refs", revision), commit);
  } catch {
    // An unwritable cache only costs the same request next time (huggingface_hub logs and goes on too).
  }
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.incomplete`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}
