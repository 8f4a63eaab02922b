// A client for a Prometheus-compatible HTTP API's instant queries (`GET /api/v1/query`), as
// inference-perf sends them: the query, an evaluation time, optional auth headers. Every failure
// (refused, timed out, HTTP error, an answer that is not Prometheus's JSON) is an outcome, never a
// throw: server metrics must not cost the client-side benchmark. `readQueryAnswer` is pure.
import { parseSampleValue } from "./prom-text.ts";

export type QueryOutcome =
  | { readonly kind: "value"; readonly value: number }
  /** A successful answer with no series: the metric does not exist, or not in this window. */
  | { readonly kind: "empty" }
  /**
   * `transport`: no Prometheus answer at all (refused, reset, timed out, or not Prometheus's JSON);
   * false for Prometheus's own error answer to one query (a bad query, an unknown function).
   */
  | { readonly kind: "error"; readonly message: string; readonly transport: boolean };

/** The first element's value of a `vector` (or a `scalar`) answer; the shape checked, not trusted. */
export function readQueryAnswer(status: number, body: string): QueryOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return garbage(status, body);
  }
  if (typeof parsed !== "object" || parsed === null) return garbage(status, body);
  const answer = parsed as { status?: unknown; error?: unknown; data?: unknown };
  if (answer.status !== "success" || status < 200 || status > 299) {
    const detail = typeof answer.error === "string" ? answer.error : `HTTP ${status}`;
    return { kind: "error", message: `Prometheus answered an error: ${detail}`, transport: false };
  }
  const data = answer.data as { resultType?: unknown; result?: unknown } | undefined;
  const pick = (pair: unknown): QueryOutcome => {
    if (!Array.isArray(pair) || pair.length < 2 || typeof pair[1] !== "string") return garbage(status, body);
    const value = parseSampleValue(pair[1]);
    return value === null ? garbage(status, body) : { kind: "value", value };
  };
  if (data?.resultType === "scalar") return pick(data.result);
  if (!Array.isArray(data?.result)) return garbage(status, body);
  const first = data.result[0] as { value?: unknown } | undefined;
  if (first === undefined) return { kind: "empty" };
  return pick(first.value);
}

function garbage(status: number, body: string): QueryOutcome {
  const snippet = body.length > 80 ? `${body.slice(0, 80)}…` : body;
  return {
    kind: "error",
    message: `not a Prometheus query answer (HTTP ${status}): ${JSON.stringify(snippet)}`,
    transport: true,
  };
}

export interface PromClientOptions {
  /** The API root, e.g. http://prometheus:9090 (the path /api/v1/query is appended). */
  baseUrl: string;
  /** Headers for each request (a bearer token), fetched per query so a token can refresh. */
  headers?: () => Promise<Record<string, string>>;
  timeoutMs?: number;
}

export interface PromClient {
  readonly queryUrl: string;
  /** Evaluates `query` at `atMs` (epoch ms). */
  query(query: string, atMs: number): Promise<QueryOutcome>;
}

export function createPromClient(options: PromClientOptions): PromClient {
  const queryUrl = `${options.baseUrl.replace(/\/+$/, "")}/api/v1/query`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    queryUrl,
    async query(query, atMs) {
      const url = `${queryUrl}?query=${encodeURIComponent(query)}&time=${(atMs / 1000).toFixed(3)}`;
      let headers: Record<string, string>;
      try {
        headers = (await options.headers?.()) ?? {};
      } catch (error) {
        return { kind: "error", message: messageOf(error), transport: true };
      }
      try {
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        return readQueryAnswer(response.status, await response.text());
      } catch (error) {
        const timedOut = error instanceof Error && error.name === "TimeoutError";
        return {
          kind: "error",
          message: timedOut ? `no answer within ${timeoutMs / 1000} s` : messageOf(error),
          transport: true,
        };
      }
    },
  };
}

export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && !error.message.includes(code)
    ? `${error.message} (${code})`
    : error.message;
}
