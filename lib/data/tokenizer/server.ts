// Count tokens with the target server's own /tokenize endpoint (opt-in: tokenizer.use_server_tokenize),
// for exact lengths under the served model without downloading its tokenizer.
// vLLM:      POST /tokenize {model, prompt, add_special_tokens} → {count, tokens, max_model_len}
// llama.cpp: POST /tokenize {content}                          → {tokens}
// Both are asked without special tokens (no BOS), the same convention as Tokenizer.count().
import { UserError } from "../../cli/errors.ts";
import type { FetchLike } from "../hub.ts";

export type TokenizeFlavor = "vllm" | "llamacpp";

export interface ServerTokenCounter {
  readonly flavor: TokenizeFlavor;
  count(text: string): Promise<number>;
}

export interface ServerTokenizeOptions {
  /** The server's base URL (server.base_url), without /v1. */
  baseUrl: string;
  /** Model name for vLLM's request body. */
  model: string;
  headers?: Record<string, string> | undefined;
  fetch?: FetchLike | undefined;
  timeoutMs?: number | undefined;
}

type Post = (body: unknown) => Promise<{ status: number; json: unknown }>;

/** Probe the server (vLLM shape first, then llama.cpp) and return a counter for the flavor that answered. */
export async function connectServerTokenizer(opts: ServerTokenizeOptions): Promise<ServerTokenCounter> {
  const url = `${opts.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/tokenize`;
  const doFetch = opts.fetch ?? ((u: string, init?: RequestInit) => fetch(u, init));
  const post: Post = async (body) => {
    let response: Response;
    try {
      response = await (doFetch as (u: string, init: RequestInit) => Promise<Response>)(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...opts.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UserError(`Cannot count tokens with the server: POST ${url} failed: ${reason}`);
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: the shape check below reports it
    }
    return { status: response.status, json };
  };

  const vllm = (text: string) => ({ model: opts.model, prompt: text, add_special_tokens: false });
  const llamacpp = (text: string) => ({ content: text, add_special: false });
  for (const [flavor, body] of [
    ["vllm", vllm],
    ["llamacpp", llamacpp],
  ] as const) {
    const probe = await post(body("Hello world"));
    if (probe.status === 200 && countOf(probe.json) !== undefined) {
      return {
        flavor,
        async count(text) {
          const { status, json } = await post(body(text));
          const n = countOf(json);
          if (status !== 200 || n === undefined) {
            throw new UserError(`Cannot count tokens with the server: POST ${url} answered HTTP ${status}`);
          }
          return n;
        },
      };
    }
  }
  throw new UserError(
    `Cannot count tokens with the server: ${url} is not a vLLM or llama.cpp /tokenize endpoint`,
    {
      details: [
        "Turn tokenizer.use_server_tokenize off, or point tokenizer.pretrained_model_name_or_path at the model",
      ],
    },
  );
}

function countOf(json: unknown): number | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { count, tokens } = json as { count?: unknown; tokens?: unknown };
  if (typeof count === "number") return count;
  return Array.isArray(tokens) ? tokens.length : undefined;
}
