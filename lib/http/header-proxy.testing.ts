// An HTTP proxy in front of a server for tests: it keeps, for every request, one request header's
// value and the JSON body's messages/prompt, and may add a response header (a session token, as a
// gateway hands one out). Listens on 127.0.0.1 at a port in 20000-32000.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { listenOnFreePort, stopServer } from "./test-server.testing.ts";

export interface SeenRequest {
  header: string | null;
  token: string | null;
  path: string;
  body: string;
}

export async function startHeaderProxy(
  targetPort: number,
  opts: { header: string; tokenHeader?: string; token?: (seen: SeenRequest) => string | null },
): Promise<{ url: string; seen: SeenRequest[]; stop: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const value = (name: string | undefined) => {
        const v = name === undefined ? undefined : req.headers[name.toLowerCase()];
        return typeof v === "string" ? v : null;
      };
      const entry: SeenRequest = {
        header: value(opts.header),
        token: value(opts.tokenHeader),
        path: req.url ?? "",
        body: body.toString("utf8"),
      };
      seen.push(entry);
      const upstream = httpRequest(
        { host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const headers = { ...up.headers };
          const token = opts.token?.(entry) ?? null;
          if (opts.tokenHeader !== undefined && token !== null)
            headers[opts.tokenHeader.toLowerCase()] = token;
          res.writeHead(up.statusCode ?? 502, headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const port = await listenOnFreePort(server as unknown as import("node:net").Server);
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () => stopServer(server, sockets),
  };
}
