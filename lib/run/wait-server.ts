// Before the first stage: poll GET {base_url}/v1/models until the server answers (any HTTP status
// counts), bounded in time. Returns the model ids it listed (empty when it listed none or the body
// was not a model list), which the runner uses when server.model_name is not set.
import { Buffer } from "node:buffer";
import { UserError } from "../cli/errors.ts";
import { ExitCode } from "../cli/exit-codes.ts";
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

export async function waitForServer(options: WaitOptions): Promise<string[]> {
  const deadline = performance.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 250;
  let lastError = "";
  for (;;) {
    const transport = createSocketTransport({
      baseUrl: options.baseUrl,
      maxConnections: 1,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    });
    let status = 0;
    const chunks: Uint8Array[] = [];
    const outcome = await transport.send(
      { method: "GET", path: "/v1/models", headers: options.headers, body: "" },
      {
        onSent: () => {},
        onHeaders: (s) => {
          status = s;
        },
        onData: (chunk) => {
          chunks.push(chunk.slice());
        },
      },
      { timeoutMs: Math.max(1000, Math.min(10_000, deadline - performance.now())) },
    );
    transport.close();
    if (outcome.ok) return status === 200 ? modelIds(chunks) : [];
    lastError = outcome.message;
    if (options.signal?.aborted)
      throw new UserError("Interrupted while waiting for the server", { exitCode: ExitCode.interrupted });
    if (performance.now() + pollMs > deadline) {
      throw new UserError(
        `Cannot reach the server at "${options.baseUrl}": no answer within ${Math.round(options.timeoutMs / 1000)} s`,
        {
          exitCode: ExitCode.failed,
          details: [`Last error: ${lastError}`, "Check server.base_url and that the server is up"],
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function modelIds(chunks: Uint8Array[]): string[] {
  try {
    const text = new TextDecoder().decode(Buffer.concat(chunks));
    const body = JSON.parse(text) as { data?: { id?: unknown }[] };
    return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string");
  } catch {
    return [];
  }
}
