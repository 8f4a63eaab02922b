// One-time downloads from the Hugging Face hub into a local cache (tokenizers, the ShareGPT file).
// The only network code in lib/data; everything else reads local files. Writes atomically
// (temp file, then rename) so concurrent workers or an interrupted download never leave a torn file.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { UserError } from "../cli/errors.ts";

export type Env = Record<string, string | undefined>;
export type FetchLike = (
  url: string,
  init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

/** `$XDG_CACHE_HOME/inferload/<kind>`, else `~/.cache/inferload/<kind>`. */
export function defaultCacheDir(env: Env, kind: "tokenizers" | "datasets"): string {
  const base =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "inferload", kind);
}

/** The hub's base URL; `HF_ENDPOINT` overrides it as in huggingface_hub (mirrors, tests). */
export function hubEndpoint(env: Env): string {
  return (env.HF_ENDPOINT && env.HF_ENDPOINT.length > 0 ? env.HF_ENDPOINT : "https://huggingface.co").replace(
    /\/+$/,
    "",
  );
}

export interface HubFile {
  /** Repo id, e.g. "meta-llama/Llama-3.1-8B-Instruct". */
  repo: string;
  /** "model" or "dataset": datasets live under /datasets/ on the hub. */
  repoType: "model" | "dataset";
  file: string;
}

export function hubFileUrl(env: Env, f: HubFile): string {
  const prefix = f.repoType === "dataset" ? "/datasets" : "";
  return `${hubEndpoint(env)}${prefix}/${f.repo}/resolve/main/${f.file}`;
}

export interface DownloadOptions {
  env: Env;
  token?: string | null | undefined;
  fetch?: FetchLike | undefined;
  timeoutMs?: number;
}

/**
 * Download a hub file to `dest` (atomically). Returns false when the hub says the file does not exist
 * (404), so optional files can be skipped; every other failure is a UserError saying what to do.
 */
export async function downloadHubFile(f: HubFile, dest: string, opts: DownloadOptions): Promise<boolean> {
  const url = hubFileUrl(opts.env, f);
  const token = opts.token ?? opts.env.HF_TOKEN ?? opts.env.HUGGING_FACE_HUB_TOKEN;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const doFetch: FetchLike = opts.fetch ?? ((u, init) => fetch(u, init));
  let response: Response;
  try {
    response = await doFetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(
      `Cannot download "${f.file}" of "${f.repo}" from ${hubEndpoint(opts.env)}: ${reason}`,
      {
        details: [
          "The machine looks offline. Download the file once elsewhere and point the config at the local copy.",
        ],
        cause: error,
      },
    );
  }
  if (response.status === 404) return false;
  if (response.status === 401 || response.status === 403) {
    throw new UserError(
      `Cannot download "${f.file}" of "${f.repo}": access denied (HTTP ${response.status})`,
      {
        details: [
          token
            ? "The token was refused: check that it is valid and that you accepted the model's licence on the hub."
            : "The repository may be gated or private: set tokenizer.token or the HF_TOKEN environment variable.",
        ],
      },
    );
  }
  if (!response.ok) {
    throw new UserError(`Cannot download "${f.file}" of "${f.repo}": HTTP ${response.status} from ${url}`);
  }
  const body = new Uint8Array(await response.arrayBuffer());
  await mkdir(dirname(dest), { recursive: true });
  const temp = `${dest}.${process.pid}.${Date.now()}.partial`;
  try {
    await writeFile(temp, body);
    await rename(temp, dest);
  } finally {
    await rm(temp, { force: true });
  }
  return true;
}
