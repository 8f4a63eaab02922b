// Parse and check a completion, chat or Messages (Anthropic) request body the way vLLM's server does. Pure.
// Anything malformed becomes { ok: false } with an OpenAI-style message and the offending param;
// the server turns that into a 400. Fields the simulator does not model (temperature, top_p, …) are ignored.
import { anyObjectSchema } from "./json-output.ts";
import { audioCost, imageCost, type MediaCost, videoCost } from "./media-tokens.ts";
import type { ApiKind } from "./wire.ts";

export interface SimRequest {
  kind: ApiKind;
  /** undefined: the base model (vLLM accepts a missing model). */
  model: string | undefined;
  /** The texts whose tokens make the prompt (chat: each message's content). */
  promptTexts: string[];
  /** Images, videos and audio clips in the chat content, in order, with their prompt-token cost. */
  media: MediaCost[];
  /** A prompt given as token ids: its length, else null. */
  promptTokenIds: number | null;
  /** max_completion_tokens (chat) or max_tokens; null when absent. */
  maxTokens: number | null;
  ignoreEos: boolean;
  stream: boolean;
  includeUsage: boolean;
  /** response_format: the schema the output must satisfy (json_object: any object), else null. */
  jsonSchema: Readonly<Record<string, unknown>> | null;
}

export type ParseResult =
  | { ok: true; request: SimRequest }
  | { ok: false; message: string; param: string | null };

type Json = Record<string, unknown>;

function fail(message: string, param: string | null = null): ParseResult {
  return { ok: false, message, param };
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;
const describe = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);

function isTokenIds(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && (x as number) >= 0);
}

/** The prompt field of /v1/completions: a string, token ids, or a one-element list of either. */
function parsePrompt(prompt: unknown): { texts: string[]; ids: number | null } | string {
  if (typeof prompt === "string") return { texts: [prompt], ids: null };
  if (isTokenIds(prompt)) return { texts: [], ids: prompt.length };
  if (Array.isArray(prompt)) {
    if (prompt.length !== 1) {
      return prompt.length === 0
        ? "prompt: expected a non-empty prompt"
        : "prompt: only one prompt per request is supported";
    }
    const only = prompt[0];
    if (typeof only === "string") return { texts: [only], ids: null };
    if (isTokenIds(only)) return { texts: [], ids: only.length };
  }
  return `prompt: expected a string or a list of token ids, got ${describe(prompt)}`;
}

const ROLES = new Set(["system", "user", "assistant", "tool", "developer"]);

/** A content part: its text, its media cost, or what is wrong with it (vLLM's part types). */
function parsePart(part: unknown, at: string): string | MediaCost | { error: string } {
  if (!isObject(part)) return { error: `${at}: expected an object, got ${describe(part)}` };
  const url = (field: string) => {
    const inner = part[field];
    return isObject(inner) && typeof inner.url === "string" ? inner.url : null;
  };
  switch (part.type) {
    case "text":
      return typeof part.text === "string" ? part.text : { error: `${at}.text: expected a string` };
    case "image_url": {
      const u = url("image_url");
      return u === null ? { error: `${at}.image_url: expected {"url": string}` } : imageCost(u);
    }
    case "video_url": {
      const u = url("video_url");
      return u === null ? { error: `${at}.video_url: expected {"url": string}` } : videoCost(u);
    }
    case "input_audio": {
      const audio = part.input_audio;
      return isObject(audio) && typeof audio.data === "string" && typeof audio.format === "string"
        ? audioCost(audio.data)
        : { error: `${at}.input_audio: expected {"data": string, "format": string}` };
    }
    case "audio_url": {
      const u = url("audio_url");
      const comma = u?.indexOf(",") ?? -1;
      return u === null
        ? { error: `${at}.audio_url: expected {"url": string}` }
        : audioCost(u.slice(comma + 1));
    }
    default:
      return { error: `${at}.type: unknown content part type ${JSON.stringify(part.type)}` };
  }
}

function parseMessages(messages: unknown, media: MediaCost[]): string[] | string {
  if (!Array.isArray(messages) || messages.length === 0) {
    return `messages: expected a non-empty array, got ${Array.isArray(messages) ? "an empty array" : describe(messages)}`;
  }
  const texts: string[] = [];
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) return `messages[${i}]: expected an object, got ${describe(message)}`;
    if (typeof message.role !== "string" || !ROLES.has(message.role)) {
      return `messages[${i}].role: expected one of ${[...ROLES].join(", ")}, got ${JSON.stringify(message.role)}`;
    }
    const content = message.content;
    if (typeof content === "string") texts.push(content);
    else if (Array.isArray(content)) {
      for (const [j, part] of content.entries()) {
        const parsed = parsePart(part, `messages[${i}].content[${j}]`);
        if (typeof parsed === "string") texts.push(parsed);
        else if ("error" in parsed) return parsed.error;
        else media.push(parsed);
      }
    } else if (!(absent(content) && message.role === "assistant")) {
      return `messages[${i}].content: expected a string or a list of content parts, got ${describe(content)}`;
    }
  }
  return texts;
}

function positiveInt(body: Json, name: string): number | null | string {
  const value = body[name];
  if (absent(value)) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    return `${name}: expected an integer >= 1, got ${JSON.stringify(value)}`;
  }
  return value;
}

/**
 * Anthropic's `messages` (user/assistant turns; content a string or text, tool_use and tool_result
 * blocks) and `system` (a string or text blocks): the texts whose tokens make the prompt.
 */
function parseAnthropicMessages(body: Json): string[] | string {
  const texts: string[] = [];
  const blocks = (value: unknown, where: string): string | null => {
    if (typeof value === "string") {
      texts.push(value);
      return null;
    }
    if (!Array.isArray(value))
      return `${where}: expected a string or a list of content blocks, got ${describe(value)}`;
    for (const [j, block] of value.entries()) {
      if (isObject(block) && block.type === "text" && typeof block.text === "string") texts.push(block.text);
      // A tool call and its result (an agent's turns): the call's name and input, the result's text.
      else if (isObject(block) && block.type === "tool_use" && typeof block.name === "string")
        texts.push(block.name, JSON.stringify(block.input ?? {}));
      else if (isObject(block) && block.type === "tool_result") {
        const problem = blocks(block.content ?? "", `${where}[${j}].content`);
        if (problem !== null) return problem;
      } else return `${where}[${j}]: expected a text, tool_use or tool_result block`;
    }
    return null;
  };
  if (!absent(body.system)) {
    const problem = blocks(body.system, "system");
    if (problem !== null) return problem;
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    return `messages: expected a non-empty array, got ${Array.isArray(messages) ? "an empty array" : describe(messages)}`;
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) return `messages[${i}]: expected an object, got ${describe(message)}`;
    if (message.role !== "user" && message.role !== "assistant")
      return `messages[${i}].role: expected "user" or "assistant", got ${JSON.stringify(message.role)}`;
    const problem = blocks(message.content, `messages[${i}].content`);
    if (problem !== null) return problem;
  }
  return texts;
}

/** response_format (OpenAI, vLLM): text, json_object, or json_schema with `json_schema.schema`. */
function parseResponseFormat(value: unknown): Readonly<Record<string, unknown>> | null | string {
  if (absent(value)) return null;
  if (!isObject(value)) return `response_format: expected an object, got ${describe(value)}`;
  if (value.type === "text") return null;
  if (value.type === "json_object") return anyObjectSchema;
  if (value.type !== "json_schema")
    return `response_format.type: expected "text", "json_object" or "json_schema", got ${JSON.stringify(value.type)}`;
  const spec = value.json_schema;
  if (!isObject(spec)) return `response_format.json_schema: expected an object, got ${describe(spec)}`;
  if (!isObject(spec.schema))
    return `response_format.json_schema.schema: expected an object, got ${describe(spec.schema)}`;
  return spec.schema;
}

export function parseRequestBody(kind: ApiKind, text: string): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return fail(`Invalid JSON in request body: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(body)) return fail(`Request body: expected a JSON object, got ${describe(body)}`);
  if (!absent(body.model) && typeof body.model !== "string") {
    return fail(`model: expected a string, got ${describe(body.model)}`, "model");
  }
  let texts: string[];
  let ids: number | null = null;
  const media: MediaCost[] = [];
  if (kind === "messages") {
    if (typeof body.model !== "string") return fail("model: this field is required", "model");
    if (absent(body.max_tokens)) return fail("max_tokens: this field is required", "max_tokens");
    const messages = parseAnthropicMessages(body);
    if (typeof messages === "string") return fail(messages, "messages");
    texts = messages;
  } else if (kind === "completion") {
    if (absent(body.prompt)) return fail("prompt: this field is required", "prompt");
    const prompt = parsePrompt(body.prompt);
    if (typeof prompt === "string") return fail(prompt, "prompt");
    texts = prompt.texts;
    ids = prompt.ids;
  } else {
    if (absent(body.messages)) return fail("messages: this field is required", "messages");
    const messages = parseMessages(body.messages, media);
    if (typeof messages === "string") return fail(messages, "messages");
    texts = messages;
  }
  let maxTokens = positiveInt(body, "max_tokens");
  if (typeof maxTokens === "string") return fail(maxTokens, "max_tokens");
  if (kind === "chat") {
    const maxCompletion = positiveInt(body, "max_completion_tokens");
    if (typeof maxCompletion === "string") return fail(maxCompletion, "max_completion_tokens");
    if (maxCompletion !== null) maxTokens = maxCompletion;
  }
  if (!absent(body.n) && body.n !== 1) {
    return fail(`n: only n=1 is supported, got ${JSON.stringify(body.n)}`, "n");
  }
  for (const name of ["stream", "ignore_eos"] as const) {
    if (!absent(body[name]) && typeof body[name] !== "boolean") {
      return fail(`${name}: expected a boolean, got ${describe(body[name])}`, name);
    }
  }
  const stream = body.stream === true;
  // The Messages API always reports usage (message_start, message_delta).
  let includeUsage = kind === "messages";
  let jsonSchema: Readonly<Record<string, unknown>> | null = null;
  if (kind !== "messages") {
    const format = parseResponseFormat(body.response_format);
    if (typeof format === "string") return fail(format, "response_format");
    jsonSchema = format;
  }
  if (!absent(body.stream_options) && kind !== "messages") {
    const options = body.stream_options;
    if (!isObject(options))
      return fail(`stream_options: expected an object, got ${describe(options)}`, "stream_options");
    if (!stream) return fail("stream_options: only allowed when stream is true", "stream_options");
    if (!absent(options.include_usage) && typeof options.include_usage !== "boolean") {
      return fail(
        `stream_options.include_usage: expected a boolean, got ${describe(options.include_usage)}`,
        "stream_options",
      );
    }
    includeUsage = options.include_usage === true;
  }
  return {
    ok: true,
    request: {
      kind,
      model: typeof body.model === "string" ? body.model : undefined,
      promptTexts: texts,
      media,
      promptTokenIds: ids,
      maxTokens,
      ignoreEos: body.ignore_eos === true,
      stream,
      includeUsage,
      jsonSchema,
    },
  };
}
