// Builds the HTTP request for one generated item: route, JSON body and headers for the OpenAI
// completions and chat-completions APIs. Pure: no clock, no I/O, no environment reads (the config
// loader has already interpolated `${ENV}` values such as the API key).
import type { GeneratedRequest } from "../data/types.ts";

/** inference-perf's client constant: sent when the data item names no output length (spec §5, quirk 4). */
export const defaultMaxTokens = 30;

/** The slice of the resolved config this module reads; the full `Config` satisfies it structurally. */
export interface RequestConfig {
  api: {
    type: string;
    streaming: boolean;
    headers?: Readonly<Record<string, string>> | null | undefined;
  };
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

export type ApiType = "completion" | "chat";

/** The API type this module speaks; anything else is rejected by config validation first. */
export function apiTypeOf(config: RequestConfig): ApiType {
  if (config.api.type === "completion" || config.api.type === "chat") return config.api.type;
  throw new RangeError(`Unsupported api.type "${config.api.type}"`);
}

/** The `model` for one request: the LoRA adapter picked for it, else server.model_name. */
export function requestModel(config: RequestConfig, adapter: string | null): string {
  return adapter ?? config.server?.model_name ?? "";
}

/** The route for the configured API type, the same for every request of a run. */
export function requestPath(config: RequestConfig): string {
  return apiTypeOf(config) === "chat" ? "/v1/chat/completions" : "/v1/completions";
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
  // Key order follows inference-perf's bodies so a diff of two tools' request logs reads easily.
  const payload: Record<string, unknown> = { model };
  if (apiType === "chat") payload.messages = item.messages;
  else payload.prompt = item.prompt;
  payload.max_tokens = item.maxTokens !== undefined && item.maxTokens > 0 ? item.maxTokens : defaultMaxTokens;
  // Sent only when on: `ignore_eos` is a vLLM/SGLang extension and a strict OpenAI server may reject
  // the unknown field, while inference-perf always sends it (true or false).
  if (config.server?.ignore_eos === true) payload.ignore_eos = true;
  payload.stream = streaming;
  if (streaming) payload.stream_options = { include_usage: true };
  return JSON.stringify(payload);
}

/** Content type, auth, then api.headers, each later one replacing an earlier one case-insensitively. */
export function buildHeaders(config: RequestConfig, streaming: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: streaming ? "text/event-stream" : "application/json",
  };
  const key = config.server?.api_key;
  if (key) headers.authorization = `Bearer ${key}`;
  for (const [name, value] of Object.entries(config.api.headers ?? {})) {
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    }
    headers[name] = value;
  }
  return headers;
}

/** UTF-8 byte length without encoding the string (the transport encodes it once, later). */
export function utf8Length(text: string): number {
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
