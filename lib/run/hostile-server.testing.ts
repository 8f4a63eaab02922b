// Test helper: a raw TCP server on 127.0.0.1 that answers POSTs however the test says (resets,
// stalls, garbage, endless streams, …) and keeps its own log: requests received and requests it
// failed on purpose, so a test can hold the client's report against what really happened.
// GET /v1/models (the client's wait-for-server probe) is answered normally and not logged.
import { createServer, type Socket } from "node:net";

export interface Exchange {
  socket: Socket;
  /** 1 for the first request on this connection, 2 for the next, … */
  onConnection: number;
  /** This POST's number on the server, from 0 since the last resetLog(). */
  index: number;
  /** Call when the behaviour fails this request on purpose (the report must count it failed). */
  failed(): void;
}

export type Behaviour = (exchange: Exchange) => void;

export interface ServerLog {
  /** POSTs received. */
  posts: number;
  /** Of those, failed on purpose. */
  failed: number;
  connections: number;
}

export interface HostileServer {
  readonly url: string;
  /** How the next POSTs are answered. */
  behave(behaviour: Behaviour): void;
  log(): ServerLog;
  resetLog(): void;
  stop(): Promise<void>;
}

const models = JSON.stringify({ object: "list", data: [{ id: "hostile-model", object: "model" }] });

export async function startHostileServer(): Promise<HostileServer> {
  let behaviour: Behaviour = ({ socket }) => socket.destroy();
  let log: ServerLog = { posts: 0, failed: 0, connections: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    log.connections++;
    socket.setNoDelay(true);
    socket.on("error", () => {}); // clients reset too
    socket.on("close", () => sockets.delete(socket));
    let onConnection = 0;
    let buffered = Buffer.alloc(0);
    socket.on("data", (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const headEnd = buffered.indexOf("\r\n\r\n");
        if (headEnd < 0) return;
        const head = buffered.subarray(0, headEnd).toString("latin1");
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        buffered = buffered.subarray(headEnd + 4 + length);
        if (head.startsWith("GET ")) {
          socket.write(
            `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${models.length}\r\n\r\n${models}`,
          );
          continue;
        }
        const current = log;
        const index = current.posts++;
        behaviour({ socket, onConnection: ++onConnection, index, failed: () => current.failed++ });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    behave: (next) => {
      behaviour = next;
    },
    log: () => ({ ...log }),
    resetLog: () => {
      log = { posts: 0, failed: 0, connections: 0 };
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// Pieces of answers.

export const sseHead =
  "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

/** One chunk of a chunked body. */
export function chunk(data: string | Buffer): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from("\r\n")]);
}

export const lastChunk = "0\r\n\r\n";

/** A completion token event, with usage on it when given. */
export function tokenEvent(text: string, usage?: { prompt: number; completion: number }): string {
  const payload: Record<string, unknown> = { choices: [{ index: 0, text, finish_reason: null }] };
  if (usage !== undefined)
    payload.usage = {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    };
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** A whole, ordinary stream: `tokens` one-word events, usage on the last, then [DONE]. */
export function okStream(tokens: number): string {
  let body = "";
  for (let i = 0; i < tokens; i++)
    body += tokenEvent(" word", i === tokens - 1 ? { prompt: 3, completion: tokens } : undefined);
  return `${body}data: [DONE]\n\n`;
}

/** A plain response with a Content-Length. */
export function response(status: string, headers: Record<string, string>, body: string | Buffer): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const lines = Object.entries({ ...headers, "Content-Length": String(bytes.length) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return Buffer.concat([Buffer.from(`HTTP/1.1 ${status}\r\n${lines}\r\n`), bytes]);
}

/** Writes `next()` pieces as fast as the client reads them, until it returns null or the socket closes. */
export function pump(socket: Socket, next: () => Buffer | string | null): void {
  const write = (): void => {
    while (!socket.destroyed) {
      const piece = next();
      if (piece === null) return;
      if (!socket.write(piece)) {
        socket.once("drain", write);
        return;
      }
    }
  };
  write();
}
