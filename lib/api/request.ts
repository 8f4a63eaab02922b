// Builds the HTTP request for one generated item: route, JSON body and headers for the OpenAI
// completions and chat-completions APIs and Anthropic's Messages API. Pure: no clock, no I/O, no environment reads (the config
// loader has already interpolated `${ENV}` values such as the API key).
import { Buffer } from "node:buffer";
import type { GeneratedRequest } from "../data/types.ts";
import { type ContentPart, textOf } from "../media/content.ts";

/** inference-perf's client constant: sent when the data item names no output length (spec §5, quirk 4). */
export const defaultMaxTokens = 30;

/** The slice of the resolved config this module reads; the full `Config` satisfies it structurally. */
export interface RequestConfig {
  api: {
    type: string;
    streaming: boolean;
    headers?: Readonly<Record<string, string>> | null | undefined;
    response_format?: ResponseFormatConfig | null | undefined;
  };
  /** data.use_chat_template: the completion prompt already holds the template's special tokens. */
  data?: { use_chat_template?: boolean | undefined } | undefined;
  /** Null when no server is configured (`run` then targets the built-in simulator). */
  server?:
    | {
        model_name?: string | null | undefined;
        ignore_eos?: boolean | null | undefined;
        api_key?: string | null | undefined;
      }
    | null
    | undefined;
}

export interface BuiltRequest {
  /** `/v1/completions` or `/v1/chat/completions`, appended to server.base_url by the transport. */
  path: string;
  /** The JSON body. */
  body: string;
  /** Every header to send besides Host/Content-Length/Connection (the transport adds those). */
  headers: Record<string, string>;
  /** UTF-8 size of `body`: the per-request `request_size_bytes` sample. */
  bodyBytes: number;
}

export type ApiType = "completion" | "chat" | "anthropic_messages";

/** api.response_format as the config holds it. */
export interface ResponseFormatConfig {
  type: "json_schema" | "json_object";
  name: string;
  json_schema: Readonly<Record<string, unknown>> | null;
}

/** The `anthropic-version` header inference-perf sends with the Messages API. */
export const anthropicVersion = "2023-06-01";

const routes: Readonly<Record<ApiType, string>> = {
  completion: "/v1/completions",
  chat: "/v1/chat/completions",
  anthropic_messages: "/v1/messages",
};

/** The API type this module speaks; anything else is rejected by config validation first. */
export function apiTypeOf(config: RequestConfig): ApiType {
  const type = config.api.type;
  if (type === "completion" || type === "chat" || type === "anthropic_messages") return type;
  throw new RangeError(`Unsupported api.type "${type}"`);
}

/**
 * The `response_format` request field (OpenAI and vLLM): `{"type":"json_object"}`, or
 * `{"type":"json_schema","json_schema":{"name","schema"}}` as inference-perf's `to_api_format` builds it.
 */
export function responseFormatField(format: ResponseFormatConfig): Record<string, unknown> {
  if (format.type === "json_object") return { type: "json_object" };
  return { type: "json_schema", json_schema: { name: format.name, schema: format.json_schema } };
}

/** The `model` for one request: the LoRA adapter picked for it, else server.model_name. */
export function requestModel(config: RequestConfig, adapter: string | null): string {
  return adapter ?? config.server?.model_name ?? "";
}

/** The route for the configured API type, the same for every request of a run. */
export function requestPath(config: RequestConfig): string {
  return routes[apiTypeOf(config)];
}

export function buildRequest(config: RequestConfig, item: GeneratedRequest, model: string): BuiltRequest {
  const body = requestBody(config, item, model);
  return {
    path: requestPath(config),
    body,
    headers: buildHeaders(config, config.api.streaming),
    bodyBytes: utf8Length(body),
  };
}

/** The JSON body alone: what a builder Worker makes per request (route and headers are the run's). */
export function requestBody(config: RequestConfig, item: GeneratedRequest, model: string): string {
  const apiType = apiTypeOf(config);
  const streaming = config.api.streaming;
  const maxTokens = item.maxTokens !== undefined && item.maxTokens > 0 ? item.maxTokens : defaultMaxTokens;
  const payload =
    apiType === "anthropic_messages"
      ? anthropicPayload(item, model, maxTokens, streaming)
      : openAiPayload(config, apiType, item, model, maxTokens);
  // The messages go in as made by messagesJson (media parts serialised once per pooled item), in
  // place of a marker that JSON.stringify writes as a string no message text can produce.
  const json = JSON.stringify(payload);
  return apiType === "chat" ? json.replace(MESSAGES_JSON, () => messagesJson(item.messages)) : json;
}

const MESSAGES_MARK = "\u0000messages\u0000";
const MESSAGES_JSON = JSON.stringify(MESSAGES_MARK);

function openAiPayload(
  config: RequestConfig,
  apiType: "completion" | "chat",
  item: GeneratedRequest,
  model: string,
  maxTokens: number,
): Record<string, unknown> {
  const streaming = config.api.streaming;
  // Key order follows inference-perf's bodies so a diff of two tools' request logs reads easily.
  const payload: Record<string, unknown> = { model };
  if (apiType === "chat") payload.messages = MESSAGES_MARK;
  else payload.prompt = item.prompt;
  payload.max_tokens = maxTokens;
  // Sent only when on: `ignore_eos` is a vLLM/SGLang extension and a strict OpenAI server may reject
  // the unknown field, while inference-perf always sends it (true or false).
  if (config.server?.ignore_eos === true) payload.ignore_eos = true;
  payload.stream = streaming;
  if (streaming) payload.stream_options = { include_usage: true };
  const format = config.api.response_format;
  if (format !== null && format !== undefined) payload.response_format = responseFormatField(format);
  // A templated prompt embeds its BOS: the server must not prepend another (inference-perf sends this).
  if (apiType === "completion" && config.data?.use_chat_template === true) payload.add_special_tokens = false;
  return payload;
}

/**
 * Anthropic's Messages body as inference-perf builds it: system messages leave `messages` and join, a
 * blank line apart, into `system`; there is no ignore_eos, stream_options or response_format.
 */
function anthropicPayload(
  item: GeneratedRequest,
  model: string,
  maxTokens: number,
  streaming: boolean,
): Record<string, unknown> {
  const system: string[] = [];
  const messages: { role: "user" | "assistant"; content: string }[] = [];
  for (const message of item.messages) {
    // Text only: media need the chat API (lib/config/check-media.ts refuses them otherwise).
    if (message.role === "system") system.push(textOf(message.content));
    else messages.push({ role: message.role, content: textOf(message.content) });
  }
  const payload: Record<string, unknown> = { model, messages, max_tokens: maxTokens, stream: streaming };
  const joined = system.join("\n\n");
  if (joined !== "") payload.system = joined;
  return payload;
}

/**
 * Content type, auth, then api.headers, each later one replacing an earlier one case-insensitively.
 * Auth is `Authorization: Bearer KEY`, or for the Messages API `x-api-key: KEY` with
 * `anthropic-version` (sent with or without a key: Anthropic's own servers require it).
 */
export function buildHeaders(config: RequestConfig, streaming: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: streaming ? "text/event-stream" : "application/json",
  };
  const key = config.server?.api_key;
  if (config.api.type === "anthropic_messages") {
    if (key) headers["x-api-key"] = key;
    headers["anthropic-version"] = anthropicVersion;
  } else if (key) headers.authorization = `Bearer ${key}`;
  return withHeaders(headers, config.api.headers);
}

/** `headers` with `extra` added last, each replacing a header of the same name in any case. */
export function withHeaders(
  headers: Record<string, string>,
  extra: Readonly<Record<string, string>> | null | undefined,
): Record<string, string> {
  for (const [name, value] of Object.entries(extra ?? {})) {
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    }
    headers[name] = value;
  }
  return headers;
}

/**
 * The messages as JSON. A media part's JSON (hundreds of KB of base64) is made once per part object and
 * reused: the media pool hands every request the same part objects, and serialising them afresh cost
 * ~6 ms per mixed.yaml request (scripts/bench/media.bench.ts), against string joins now.
 */
export function messagesJson(messages: GeneratedRequest["messages"]): string {
  let out = "[";
  for (let i = 0; i < messages.length; i++) {
    const { role, content } = messages[i] as GeneratedRequest["messages"][number];
    let json: string;
    if (typeof content === "string") json = JSON.stringify(content);
    else {
      json = "[";
      for (let j = 0; j < content.length; j++)
        json += (j > 0 ? "," : "") + partJson(content[j] as ContentPart);
      json += "]";
    }
    out += `${i > 0 ? "," : ""}{"role":${JSON.stringify(role)},"content":${json}}`;
  }
  return `${out}]`;
}

const mediaJson = new WeakMap<ContentPart, string>();

function partJson(part: ContentPart): string {
  if (part.type === "text") return JSON.stringify(part);
  let json = mediaJson.get(part);
  if (json === undefined) mediaJson.set(part, (json = JSON.stringify(part)));
  return json;
}

/** UTF-8 byte length without encoding the string (the transport encodes it once, later). */
export function utf8Length(text: string): number {
  // Native for long bodies (a media request is ~0.5 MB); the loop below stays for short ones.
  if (text.length > 4096) return Buffer.byteLength(text, "utf8");
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3; // BMP char, or a lone surrogate (encoded as U+FFFD, 3 bytes)
  }
  return bytes;
}
