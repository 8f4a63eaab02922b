// Resolve the `tokenizer` config section to a Tokenizer: the built-in default, a local tokenizer.json
// (file or folder), or a Hugging Face model id fetched once into a cache and used offline after that.
// The tokenizer.json reader and the hub client are imported when one is configured: a run with the
// built-in tokenizer should not evaluate them at its start (docs/PERFORMANCE.md "Start-up").
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UserError } from "../../cli/errors.ts";
import type { Env, FetchLike } from "../hub.ts";
import type { Tokenizer } from "../types.ts";
import { DEFAULT_TOKENIZER_NAME, defaultTokenizer } from "./default.ts";

/** inference-perf's `tokenizer` section, plus our additive `use_server_tokenize`. */
export interface TokenizerConfig {
  pretrained_model_name_or_path?: string | null | undefined;
  trust_remote_code?: boolean | null | undefined;
  token?: string | null | undefined;
  use_server_tokenize?: boolean | null | undefined;
}

export interface LoadTokenizerOptions {
  env: Env;
  /** The Hugging Face hub cache; default HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub. */
  cacheDir?: string | undefined;
  /** Accepted for the shared signature; server-side counting is layered on top in create.ts. */
  serverUrl?: string | undefined;
  log?: { info(message: string): void } | undefined;
  fetch?: FetchLike | undefined;
}

const MODEL_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/** Load the configured tokenizer, or the built-in default (with a one-line notice) when none is set. */
export async function loadTokenizer(
  config: TokenizerConfig | null | undefined,
  opts: LoadTokenizerOptions,
): Promise<Tokenizer> {
  const name = config?.pretrained_model_name_or_path?.trim() ?? "";
  if (name === "") {
    opts.log?.info(
      `Token lengths are measured with the ${DEFAULT_TOKENIZER_NAME} tokenizer; set tokenizer.pretrained_model_name_or_path to use the model's own`,
    );
    return defaultTokenizer();
  }
  const local = await statOrNull(name);
  if (local?.isDirectory()) {
    const file = join(name, "tokenizer.json");
    if (!(await statOrNull(file))?.isFile()) {
      throw new UserError(`Cannot load tokenizer "${name}": the folder holds no tokenizer.json`);
    }
    return fromFiles(file, besideIt(file), name);
  }
  if (local?.isFile()) return fromFiles(name, besideIt(name), name);
  if (!isHubModelId(name)) {
    throw new UserError(`Cannot load tokenizer "${name}": file not found`);
  }
  return fromHub(name, config?.token ?? undefined, opts);
}

async function fromHub(
  modelId: string,
  token: string | undefined,
  opts: LoadTokenizerOptions,
): Promise<Tokenizer> {
  // The Hugging Face cache (shared with transformers and huggingface-cli), downloading into it once.
  const fetchOptions = {
    env: opts.env,
    cacheDir: opts.cacheDir,
    token,
    fetch: opts.fetch,
    log: opts.log,
    what: `tokenizer "${modelId}"`,
    offlineHint:
      "point tokenizer.pretrained_model_name_or_path at a local tokenizer.json or a folder holding one",
  };
  const { hubFile } = await import("../hub-cache.ts");
  const file = await hubFile({ repo: modelId, repoType: "model", file: "tokenizer.json" }, fetchOptions);
  if (file === null) {
    throw new UserError(
      `Cannot load tokenizer "${modelId}": no such model on the Hugging Face hub, or it has no tokenizer.json`,
      {
        details: [
          "Point tokenizer.pretrained_model_name_or_path at a local tokenizer.json or a folder holding one",
        ],
      },
    );
  }
  // The optional files, from the snapshot tokenizer.json came from (its folder is named by the commit),
  // so the three always match. A 404 is remembered in the cache; offline, one not cached is absent, as
  // transformers treats them; any other failure is said and the tokenizer goes on without the file.
  // They are a few kB: a short timeout (huggingface_hub's 10 s for metadata) keeps a machine whose
  // network drops packets from waiting minutes on each.
  const snapshot = basename(dirname(file));
  const optional = async (name: string): Promise<string | null> => {
    try {
      return await hubFile(
        { repo: modelId, repoType: "model", file: name },
        { ...fetchOptions, revision: snapshot, optional: true, timeoutMs: 10_000, log: undefined },
      );
    } catch (error) {
      opts.log?.info(`${error instanceof Error ? error.message : String(error)}; going on without it`);
      return null;
    }
  };
  return fromFiles(
    file,
    { config: await optional("tokenizer_config.json"), template: await optional(CHAT_TEMPLATE_FILE) },
    modelId,
  );
}

/**
 * The files that come with a tokenizer.json. transformers reads chat_template.jinja in preference to
 * tokenizer_config.json's `chat_template` (the file "clobbers any template in the config"), for a
 * local folder and a hub id alike.
 */
interface Extras {
  config: string | null;
  template: string | null;
}

const CHAT_TEMPLATE_FILE = "chat_template.jinja";

/** The extras of a local tokenizer.json: the files beside it. */
function besideIt(file: string): Extras {
  return {
    config: join(dirname(file), "tokenizer_config.json"),
    template: join(dirname(file), CHAT_TEMPLATE_FILE),
  };
}

const loaded = new Map<string, Tokenizer>();

async function fromFiles(file: string, extras: Extras, name: string): Promise<Tokenizer> {
  const cached = loaded.get(file);
  if (cached) return cached;
  const tokenizerJson = parseJson(await readFile(file, "utf8"), name, "tokenizer.json");
  const configText = await readOptional(extras.config);
  const tokenizerConfig =
    configText === undefined ? {} : parseJson(configText, name, "tokenizer_config.json");
  const template = await readOptional(extras.template);
  const { createJsonTokenizer } = await import("./json.ts");
  const tokenizer = createJsonTokenizer(tokenizerJson, tokenizerConfig, name, template);
  loaded.set(file, tokenizer);
  return tokenizer;
}

async function readOptional(path: string | null): Promise<string | undefined> {
  return path === null ? undefined : readFile(path, "utf8").catch(() => undefined);
}

function parseJson(text: string, name: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`Cannot load tokenizer "${name}": corrupt ${what}: ${reason}`);
  }
}

/** Whether a tokenizer name that is no local file or folder can be a Hugging Face model id. */
export function isHubModelId(name: string): boolean {
  return !looksLikePath(name) && MODEL_ID.test(name);
}

function looksLikePath(name: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|~)/.test(name) || name.endsWith(".json") || name.includes("\\");
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}
