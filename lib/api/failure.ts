// Failure kinds and the labels inference-perf groups failures under in `failures.by_label`
// (`reportgen/base.py::make_concise_label`). Pure.
import type { FailureKind } from "../record/record.ts";

/** Labels inference-perf derives from the status code alone. */
const httpCodeLabels: Readonly<Record<number, string>> = {
  429: "Rate Limit",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Labels inferred from an HTTP error's message, tried in order, when the code has none. */
const httpMessageLabels: ReadonlyArray<readonly [RegExp, string]> = [
  [/context.window|context length|maximum context|max.?tokens|token.?limit/i, "Context Window"],
  [
    /invalid.?json|json.?parse|malformed.?json|unexpected.?token|expecting value|unterminated string|expecting ',' delimiter/i,
    "Invalid JSON",
  ],
  [/timeout|timed.?out/i, "Timeout"],
  // vLLM and OpenAI say "The model `x` does not exist".
  [/model.?not.?found|no such model|model\b.*\bdoes not exist/i, "Model Not Found"],
];

/**
 * The `by_label` key for one failure. HTTP errors read "<code> - <label>" as inference-perf writes them.
 * For the rest inference-perf matches the exception text ("Timeout", "Connection Error") and falls back
 * to the lower-cased exception class name; we have a failure kind instead of a class, so the fallback is
 * a fixed label per kind.
 */
export function failureLabel(kind: FailureKind, status: number, message: string): string {
  if (kind === "http_status") {
    const byCode = httpCodeLabels[status];
    if (byCode !== undefined) return `${status} - ${byCode}`;
    for (const [pattern, label] of httpMessageLabels)
      if (pattern.test(message)) return `${status} - ${label}`;
    return `${status} - other`;
  }
  if (kind === "timeout") return "Timeout";
  if (kind === "connect") return "Connection Error";
  return kindLabels[kind];
}

const kindLabels: Readonly<Record<FailureKind, string>> = {
  connect: "Connection Error",
  // inference-perf sees aiohttp's "Server disconnected" here, which its "connect" pattern labels so.
  dropped: "Connection Error",
  timeout: "Timeout",
  http_status: "other",
  stream_error: "stream error",
  parse_error: "Invalid JSON",
  too_large: "Response Too Large",
  cancelled: "cancelled",
  other: "other",
};

/**
 * The human-readable message of an error body: `{"error":{"message":…}}` (OpenAI, vLLM),
 * `{"message":…}`, `{"detail":…}` (FastAPI), or the raw text. Truncated so one huge HTML error page
 * cannot bloat a report.
 */
export function errorBodyMessage(raw: string, maxLength = 500): string {
  const text = raw.trim();
  if (text.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(text);
      const message = messageOf(parsed);
      if (message !== undefined) return truncate(message, maxLength);
    } catch {
      // not JSON: fall through to the raw text
    }
  }
  return truncate(text, maxLength);
}

/** The message inside a parsed error value: `{error: {message}}`, `{error: "…"}`, `{message}`, `{detail}`. */
export function messageOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value === null || typeof value !== "object") return undefined;
  const record = value as Record<string, unknown>;
  if (record.error !== undefined && record.error !== null) {
    const inner = messageOf(record.error);
    if (inner !== undefined) return inner;
  }
  for (const key of ["message", "detail"]) {
    const field = record[key];
    if (typeof field === "string") return field;
  }
  return record.error === undefined ? undefined : JSON.stringify(record.error);
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength)}…`;
}
