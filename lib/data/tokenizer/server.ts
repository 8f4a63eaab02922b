// Count tokens with the target server's own /tokenize endpoint (opt-in: tokenizer.use_server_tokenize),
// for exact lengths under the served model without downloading its tokenizer. The dialect (vLLM,
// SGLang, llama.cpp or TGI; _tokenize-shapes.ts) is detected once, by probing with a short text,
// before any load; an endpoint that answers none of them is a UserError naming what came back.
import { UserError } from "../../cli/errors.ts";
import type { FetchLike } from "../hub.ts";
import { type ShapeSpec, type TokenizeShape, tokenizeShapes } from "./_tokenize-shapes.ts";

export interface ServerTokenCounter {
  readonly flavor: TokenizeShape;
  /** Tokens in `text` (0 for ""); a UserError when the server fails or answers out of shape. */
  count(text: string): Promise<number>;
}

export interface ServerTokenizeOptions {
  /** The server's base URL (server.base_url), with or without /v1. */
  baseUrl: string;
  /** Model name for vLLM's and SGLang's request body. */
  model: string;
  headers?: Record<string, string> | undefined;
  fetch?: FetchLike | undefined;
  timeoutMs?: number | undefined;
}

/** Several words, so every real tokenizer gives at least one token. */
const PROBE_TEXT = "Hello world, how are you?";
const FAILURE = "Cannot count tokens with the server (tokenizer.use_server_tokenize)";

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** Probe the server's /tokenize once per dialect, in order, and count with the first that answers. */
export async function connectServerTokenizer(opts: ServerTokenizeOptions): Promise<ServerTokenCounter> {
  const url = `${opts.baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/tokenize`;
  const post = poster(url, opts);
  const seen: string[] = [];
  for (const spec of tokenizeShapes) {
    const answer = await post(spec.body(PROBE_TEXT, opts.model));
    const n = answer.status === 200 ? spec.read(answer.json) : undefined;
    if (n !== undefined && n > 0) return counter(spec, url, opts.model, post);
    seen.push(`${spec.servers} body ${keysOf(spec.body("", ""))} got ${shown(answer)}`);
  }
  const expected = tokenizeShapes.map((spec) => `${spec.servers} ${spec.answer}`).join(", ");
  throw new UserError(
    `${FAILURE}: POST ${url} is not a known /tokenize endpoint: expected a non-empty token list (${expected}) for "${PROBE_TEXT}"; ${seen.join("; ")}`,
    {
      details: [
        "Turn tokenizer.use_server_tokenize off, or point tokenizer.pretrained_model_name_or_path at the model",
      ],
    },
  );
}

function counter(
  spec: ShapeSpec,
  url: string,
  model: string,
  post: (body: unknown) => Promise<Answer>,
): ServerTokenCounter {
  return {
    flavor: spec.shape,
    async count(text) {
      if (text.length === 0) return 0;
      const answer = await post(spec.body(text, model));
      if (answer.status !== 200) throw new UserError(`${FAILURE}: POST ${url} got ${shown(answer)}`);
      const n = spec.read(answer.json);
      if (n === undefined) {
        throw new UserError(
          `${FAILURE}: POST ${url} answered out of shape: expected ${spec.servers} ${spec.answer}, got ${shown(answer)}`,
        );
      }
      // A server that did not read the text answers an empty list; a count of 0 would make every
      // prompt grow until it is many times too long.
      if (n === 0) {
        throw new UserError(
          `${FAILURE}: POST ${url} answered an empty token list for a ${text.length}-character text: expected ${spec.servers} ${spec.answer} with at least one id, got ${shown(answer)}`,
        );
      }
      return n;
    },
  };
}

function poster(url: string, opts: ServerTokenizeOptions): (body: unknown) => Promise<Answer> {
  const doFetch = (opts.fetch ?? fetch) as (u: string, init: RequestInit) => Promise<Response>;
  return async (body) => {
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...opts.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      text = await response.text();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UserError(`${FAILURE}: POST ${url} failed: ${reason}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined; // not JSON: no shape reads it, and the message shows the text
    }
    return { status: response.status, text, json };
  };
}

/** `HTTP 404 "{...}"`: the body with runs of white space collapsed, cut to 120 characters. */
function shown(answer: Answer): string {
  const text = answer.text.replace(/\s+/g, " ").trim();
  const body = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  return `HTTP ${answer.status} ${JSON.stringify(body)}`;
}

function keysOf(body: unknown): string {
  return `{${Object.keys(body as object).join(", ")}}`;
}
