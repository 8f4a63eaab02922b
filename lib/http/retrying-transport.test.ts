// load.request_retries over the real socket transport, against raw servers on 127.0.0.1 that drop,
// refuse or answer each request as scripted.
import { afterEach, describe, expect, test } from "bun:test";
import type { Socket } from "node:net";
import { nowMs } from "../runtime/clock.ts";
import { retryDelayMs, withRetries } from "./retrying-transport.ts";
import { createSocketTransport } from "./socket-transport.ts";
import { listenOnFreePort, startRawTestServer } from "./test-server.testing.ts";
import type { ResponseHandler, SendOutcome, Transport } from "./transport.ts";

/** Long enough after the request that the client sees "dropped", not a refusal or a keep-alive race. */
const HOLD_MS = 70;
const ok = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

type Reply = "drop" | string | { cut: string };

/**
 * A server whose n-th request (1-based, over all connections) gets `answer(n)`: "drop" (closed after
 * HOLD_MS, no byte sent), raw bytes, or `{cut}`: those bytes, then the connection closed.
 */
async function scripted(answer: (n: number) => Reply) {
  let n = 0;
  const server = await startRawTestServer((socket: Socket) => {
    const reply = answer(++n);
    if (reply === "drop") setTimeout(() => socket.destroy(), HOLD_MS);
    else if (typeof reply === "string") socket.write(reply);
    else socket.end(reply.cut);
  });
  cleanup.push(server.stop);
  return { url: server.url, requests: () => n };
}

function transport(url: string, retries: number, backoffMs = 20): Transport {
  const t = withRetries(createSocketTransport({ baseUrl: url, maxConnections: 4 }), {
    retries,
    backoffMs,
    random: () => 0.5, // no jitter: each backoff is exactly backoffMs × 2^attempt
  });
  cleanup.push(() => t.close());
  return t;
}

interface Seen {
  sent: number[];
  headers: number;
  body: string;
}

function send(t: Transport, timeoutMs: number | null = 5_000): { seen: Seen; done: Promise<SendOutcome> } {
  const seen: Seen = { sent: [], headers: 0, body: "" };
  const handler: ResponseHandler = {
    onSent: (at) => seen.sent.push(at),
    onHeaders: () => {
      seen.headers++;
    },
    onData: (chunk) => {
      seen.body += new TextDecoder().decode(chunk);
    },
  };
  const done = t.send({ method: "POST", path: "/v1/completions", headers: {}, body: "{}" }, handler, {
    timeoutMs,
  });
  return { seen, done };
}

describe("withRetries()", () => {
  test("a request dropped twice before any response is sent again and recovers; its send time stays the first", async () => {
    const server = await scripted((n) => (n <= 2 ? "drop" : ok));
    const { seen, done } = send(transport(server.url, 2));
    const outcome = await done;
    expect(outcome.ok).toBe(true);
    expect(outcome.attempts).toBe(3);
    expect(server.requests()).toBe(3);
    expect(seen.body).toBe("ok");
    // onSent once, at the first attempt; the last attempt went out after two holds and two backoffs.
    expect(seen.sent).toHaveLength(1);
    const first = seen.sent[0] as number;
    expect((outcome.lastSentMs as number) - first).toBeGreaterThanOrEqual(2 * HOLD_MS + 20 + 40 - 2);
  });

  test("out of attempts: the last failure stands, with every attempt counted", async () => {
    const server = await scripted(() => "drop");
    const outcome = await send(transport(server.url, 1)).done;
    expect(outcome).toMatchObject({ ok: false, kind: "dropped", attempts: 2 });
    expect(server.requests()).toBe(2);
  });

  test.each([
    [
      "an HTTP 503 (the server answered)",
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
      true,
    ],
    [
      "a stream cut after its headers",
      {
        cut: "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ndata:",
      },
      false,
    ],
  ] as const)("%s is a result, never retried", async (_name, reply, ok) => {
    const server = await scripted(() => reply);
    const pending = send(transport(server.url, 3));
    const outcome = await pending.done;
    expect(outcome).toMatchObject({ ok, attempts: 1 });
    if (!outcome.ok) expect(outcome.kind).toBe("stream_error");
    expect(server.requests()).toBe(1);
    expect(pending.seen.headers).toBe(1);
  });

  test("a timeout is never retried (the server may have the request)", async () => {
    const server = await scripted(() => "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nslo");
    const outcome = await send(transport(server.url, 3), 150).done;
    expect(outcome).toMatchObject({ ok: false, kind: "timeout", attempts: 1 });
    expect(server.requests()).toBe(1);
  });

  test("a refused connection is retried, each attempt a fresh connect", async () => {
    // A port with nothing on it: connect fails at once, before any response.
    const { createServer } = await import("node:net");
    const probe = createServer();
    const port = await listenOnFreePort(probe);
    await new Promise<void>((r) => probe.close(() => r()));
    const outcome = await send(transport(`http://127.0.0.1:${port}`, 2)).done;
    expect(outcome).toMatchObject({ ok: false, kind: "connect", attempts: 3 });
  });

  test("close() during a backoff ends the request at once as cancelled", async () => {
    const server = await scripted(() => "drop");
    const t = transport(server.url, 3, 10_000);
    const { done } = send(t);
    // After the first drop the request waits 10 s to retry; the interrupt ends the wait.
    setTimeout(() => t.close(), HOLD_MS + 100);
    const started = nowMs();
    const outcome = await done;
    expect(outcome).toMatchObject({ ok: false, kind: "cancelled", attempts: 1 });
    expect(nowMs() - started).toBeLessThan(5_000);
  });
});

describe("retryDelayMs()", () => {
  test.each([
    // attempt, backoff ms, uniform draw → delay: backoff × 2^attempt × (0.5 + u)
    [0, 500, 0, 250],
    [0, 500, 0.5, 500],
    [1, 500, 0.5, 1000],
    [2, 500, 0.999, 2998],
    [3, 0, 0.7, 0],
  ])("attempt %d, backoff %d ms, u = %d → %d ms", (attempt, backoffMs, u, expected) => {
    expect(retryDelayMs(attempt, backoffMs, u)).toBe(expected);
  });
});
