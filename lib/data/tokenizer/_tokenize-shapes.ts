// The /tokenize dialects of the servers inferload knows: how to ask each one for a text's token ids
// and how to read the count out of its answer. Pure: no I/O (server.ts probes and asks).
//
//   vLLM, SGLang  {model, prompt, add_special_tokens}  → {count, tokens: [ids], max_model_len}
//   llama.cpp     {content, add_special}              → {tokens: [ids]} ([{id, piece}] with with_pieces)
//   TGI           {inputs, add_special_tokens}        → [{id, text, start, stop}, …]
//
// Every request asks for no special tokens (no BOS), the convention of Tokenizer.count(). A reader
// accepts only its own answer, so a probe of the wrong dialect is told apart: llama.cpp answers a
// vLLM-shaped body with `{"tokens": []}` (it reads `content`, which is missing), which has no
// `count` and is empty anyway.

export type TokenizeShape = "vllm" | "llamacpp" | "tgi";

export interface ShapeSpec {
  readonly shape: TokenizeShape;
  /** Who speaks it, for messages. */
  readonly servers: string;
  /** The request body for `text`. */
  body(text: string, model: string): unknown;
  /** What its answer looks like, for messages. */
  readonly answer: string;
  /** The token count in a parsed answer, or undefined when the answer is not of this shape. */
  read(json: unknown): number | undefined;
}

/** In probe order: vLLM/SGLang first (the most common behind inference-perf configs). */
export const tokenizeShapes: readonly ShapeSpec[] = [
  {
    shape: "vllm",
    servers: "vLLM/SGLang",
    body: (text, model) => ({ model, prompt: text, add_special_tokens: false }),
    answer: '{"count": N, "tokens": [ids]}',
    read(json) {
      if (!isObject(json) || !isIdList(json.tokens)) return undefined;
      return json.count === json.tokens.length ? json.count : undefined;
    },
  },
  {
    shape: "llamacpp",
    servers: "llama.cpp",
    body: (text) => ({ content: text, add_special: false }),
    answer: '{"tokens": [ids]}',
    read: (json) => (isObject(json) && isIdList(json.tokens) ? json.tokens.length : undefined),
  },
  {
    shape: "tgi",
    servers: "TGI",
    body: (text) => ({ inputs: text, add_special_tokens: false }),
    answer: '[{"id": id, "text": …}, …]',
    read: (json) => (isIdList(json) ? json.length : undefined),
  },
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Token ids as numbers, or as objects carrying a numeric `id` (llama.cpp's pieces, TGI's tokens). */
function isIdList(value: unknown): value is unknown[] {
  return (
    Array.isArray(value) &&
    value.every((item) => typeof item === "number" || (isObject(item) && typeof item.id === "number"))
  );
}
