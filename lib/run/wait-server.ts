// Before the first stage: poll GET {base_url}/v1/models until the server answers, bounded in time.
// An answer that will not change by waiting (401/403: the key; other 4xx: the URL) ends the wait
// at once; a server still starting (connection refused, 408, 429, 5xx) is polled until the time
// is up. Every failure names the HTTP status and an excerpt of what the server said.
import { Buffer } from "node:buffer";
import { errorBodyMessage } from "../api/failure.ts";
import { UserError } from "../cli/errors.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { maskSecrets } from "../cli/secrets.ts";
import { escapeControl } from "../cli/terminal-text.ts";
import { createSocketTransport } from "../http/socket-transport.ts";

export interface WaitOptions {
  baseUrl: string;
  headers: Record<string, string>;
  /** Give up after this long. */
  timeoutMs: number;
  /** Between attempts. */
  pollMs?: number;
  signal?: AbortSignal | undefined;
  tls?: { cert?: string; key?: string };
}

export interface ServerAnswer {
  status: number;
  /** Model ids a 200 listed (empty when it listed none, or the body was not a model list). */
  models: string[];
  /** What the server said, one line, for messages ("" on a 2xx). */
  excerpt: string;
}

/** A model list is small; a server that sends more is not sending one. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Statuses a server gives while it starts or is busy: worth waiting for. */
function isPassing(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** One line of a server's error body: its message if JSON, control characters escaped, secrets masked. */
export function bodyExcerpt(body: string, maxLength = 200): string {
  const message = errorBodyMessage(body, maxLength).replace(/\s+/g, " ").trim();
  return escapeControl(maskSecrets(message)) || "(empty body)";
}

export async function waitForServer(options: WaitOptions): Promise<ServerAnswer> {
  const deadline = performance.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 250;
  const url = maskSecrets(options.baseUrl);
  let lastError = "";
  for (;;) {
    const transport = createSocketTransport({
      baseUrl: options.baseUrl,
      maxConnections: 1,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    });
    let status = 0;
    let bytes = 0;
    const chunks: Uint8Array[] = [];
    const outcome = await transport.send(
      { method: "GET", path: "/v1/models", headers: options.headers, body: "" },
      {
        onSent: () => {},
        onHeaders: (s) => {
          status = s;
        },
        onData: (chunk) => {
          if (bytes >= MAX_BODY_BYTES) return;
          bytes += chunk.length;
          chunks.push(chunk.slice());
        },
      },
      { timeoutMs: Math.max(1000, Math.min(10_000, deadline - performance.now())) },
    );
    transport.close();
    if (outcome.ok) {
      const body = new TextDecoder().decode(Buffer.concat(chunks));
      if (status >= 200 && status < 300) return { status, models: modelIds(body), excerpt: "" };
      const excerpt = bodyExcerpt(body);
      if (status === 401 || status === 403) {
        throw new UserError(
          `Cannot use the server at "${url}": GET /v1/models answered HTTP ${status}: ${excerpt}`,
          {
            exitCode: ExitCode.failed,
            details: ["Check server.api_key (or INFERLOAD_API_KEY) and api.headers"],
          },
        );
      }
      if (!isPassing(status)) return { status, models: [], excerpt };
      lastError = `HTTP ${status}: ${excerpt}`;
    } else {
      lastError = outcome.message;
    }
    if (options.signal?.aborted)
      throw new UserError("Interrupted while waiting for the server", { exitCode: ExitCode.interrupted });
    if (performance.now() + pollMs > deadline) {
      throw new UserError(
        `Cannot reach the server at "${url}": no usable answer within ${Math.round(options.timeoutMs / 1000)} s`,
        {
          exitCode: ExitCode.failed,
          details: [
            `Last ${status === 0 ? "error" : "answer"}: ${lastError}`,
            "Check server.base_url and that the server is up",
          ],
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function modelIds(text: string): string[] {
  try {
    const body = JSON.parse(text) as { data?: { id?: unknown }[] };
    return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string");
  } catch {
    return [];
  }
}
