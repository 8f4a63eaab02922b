// The HTTP server the simulator listens with: node:http, which runs unchanged under Bun and Deno and
// gives direct control of the socket (drop a connection mid-stream or with no response at all,
// Connection: close) that the fault injection needs. With the simulator's per-tick write coalescing it
// costs about what Bun.serve + ReadableStream does per paced stream (docs/PERFORMANCE.md "Simulator").
import type { IncomingMessage, ServerResponse } from "node:http";

export type { IncomingMessage, ServerResponse };

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Listening {
  host: string;
  port: number;
  /** Stop accepting, drop open connections, resolve when closed. */
  close(): Promise<void>;
}

/** Listen on host:port (0 = any free port). Rejects with the socket error (e.g. code EADDRINUSE). */
export function listen(handler: RequestHandler, options: { host: string; port: number }): Promise<Listening> {
  // node:http on first use only: the compiled binary loads every statically imported node: module at
  // each thread's start (docs/PERFORMANCE.md "Start-up"), and only the simulator serves.
  const server = process.getBuiltinModule("node:http").createServer(handler);
  // Idle keep-alive connections stay open for a minute: load generators keep one per slot and
  // should not race a server closing it between requests.
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(options.port, options.host, () => {
      server.off("error", onError);
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : options.port;
      resolve({
        host: options.host,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
