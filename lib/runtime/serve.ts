// The HTTP server the simulator listens with. node:http runs unchanged under Bun and Deno and, under
// Bun 1.4.4, served more paced SSE streams per core than Bun.serve with ReadableStreams (4.9k vs 3.5k
// 20-token streams/s, docs/PERFORMANCE.md "Simulator"), while giving direct control over the socket
// (drop a connection mid-stream, Connection: close), which the fault injection needs.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

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
  const server = createServer(handler);
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
