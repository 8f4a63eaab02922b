// The HTTP request for one turn of a session: the prompt or messages (already JSON, assembled from
// prebuilt parts and earlier replies) wrapped in the body fields every request carries, and the
// session's headers. Pure. Key order follows request.ts (inference-perf's bodies).
import {
  type BuiltRequest,
  buildHeaders,
  defaultMaxTokens,
  type RequestConfig,
  responseFormatField,
  utf8Length,
  withHeaders,
} from "./request.ts";

export interface SessionTurnRequest {
  model: string;
  /** "prompt" (completions) or "messages" (chat), and its JSON value. */
  field: "prompt" | "messages";
  json: string;
  maxTokens: number;
  /** Overrides server.ignore_eos for this call (tool-call turns must stop at their natural end). */
  ignoreEos?: boolean | null | undefined;
  /** Further body fields as a JSON fragment starting with a comma (`,"tools":[…]`), or "". */
  extra?: string | undefined;
  /** Headers for this call alone (session id and token, attribute_to_header_map), added last. */
  headers?: Readonly<Record<string, string>> | null | undefined;
}

/** api.session_id_header_key / session_token_header_key, and where their values come from. */
export interface SessionHeaderKeys {
  sessionIdKey: string | null;
  sessionTokenKey: string | null;
}

export function sessionHeaderKeys(api: {
  session_id_header_key?: string | null | undefined;
  session_token_header_key?: string | null | undefined;
}): SessionHeaderKeys {
  const key = (k: string | null | undefined) =>
    k === null || k === undefined || k.trim() === "" ? null : k.trim();
  return { sessionIdKey: key(api.session_id_header_key), sessionTokenKey: key(api.session_token_header_key) };
}

/** The session headers of one request: its session's id, and the token the server last gave it. */
export function sessionHeaders(
  keys: SessionHeaderKeys,
  sessionId: string,
  token: string | null,
): Record<string, string> | null {
  if (keys.sessionIdKey === null && (keys.sessionTokenKey === null || token === null)) return null;
  const headers: Record<string, string> = {};
  if (keys.sessionIdKey !== null) headers[keys.sessionIdKey] = sessionId;
  if (keys.sessionTokenKey !== null && token !== null) headers[keys.sessionTokenKey] = token;
  return headers;
}

export function sessionRequest(config: RequestConfig, turn: SessionTurnRequest): BuiltRequest {
  const streaming = config.api.streaming;
  const maxTokens = turn.maxTokens > 0 ? turn.maxTokens : defaultMaxTokens;
  const ignoreEos = turn.ignoreEos ?? config.server?.ignore_eos === true;
  let body = `{"model":${JSON.stringify(turn.model)},"${turn.field}":${turn.json},"max_tokens":${maxTokens}`;
  if (ignoreEos) body += `,"ignore_eos":true`;
  else if (turn.ignoreEos === false) body += `,"ignore_eos":false`;
  body += `,"stream":${streaming}`;
  if (streaming) body += `,"stream_options":{"include_usage":true}`;
  const format = config.api.response_format;
  if (format !== null && format !== undefined)
    body += `,"response_format":${JSON.stringify(responseFormatField(format))}`;
  body += `${turn.extra ?? ""}}`;
  const headers = withHeaders(buildHeaders(config, streaming), turn.headers);
  return {
    path: turn.field === "messages" ? "/v1/chat/completions" : "/v1/completions",
    body,
    headers,
    bodyBytes: utf8Length(body),
  };
}
