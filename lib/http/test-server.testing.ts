// Tiny servers for transport tests (test-only): a node:http server with a few routes, and a raw TCP
// server scripted per connection. Both listen on 127.0.0.1 at a random port in 20000-32000.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createNetServer, type Server, type Socket } from "node:net";

export async function listenOnFreePort(server: Server): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const ok = await new Promise<boolean>((resolve) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off("listening", onListening);
        if (error.code === "EADDRINUSE" || error.code === "EACCES") resolve(false);
        else throw error;
      };
      const onListening = () => {
        server.off("error", onError);
        resolve(true);
      };
      server.once("error", onError);
      server.once("listening", onListening);
      server.listen(port, "127.0.0.1");
    });
    if (ok) return port;
  }
  throw new Error("No free port in 20000-32000 after 50 attempts");
}

/** Connections opened so far, and the most open at once. */
function connectionCount() {
  let total = 0;
  let open = 0;
  let peak = 0;
  return {
    opened(): void {
      total++;
      peak = Math.max(peak, ++open);
    },
    closed(): void {
      open--;
    },
    read: () => ({ total, peak }),
  };
}

/** Stops a test server: drops its open sockets first (close waits for them to end), then closes it. */
export function stopServer(
  server: { close(callback: () => void): unknown },
  sockets: Set<Socket>,
): Promise<void> {
  return new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

export interface TestServer {
  url: string;
  /** Connections accepted so far, and the most open at once. */
  connections: () => { total: number; peak: number };
  stop: () => Promise<void>;
}

/** Routes: /echo (body back, Content-Length), /headers (method, headers and body as JSON), /sse (chunked, 3 events 5 ms apart), /close (Connection: close), /hang. */
export async function startHttpTestServer(): Promise<TestServer> {
  const count = connectionCount();
  const sockets = new Set<Socket>();
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (req.url === "/echo") {
        res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
        res.end(body);
      } else if (req.url === "/sse") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        let n = 0;
        const tick = setInterval(() => {
          res.write(`data: ${n}\n\n`);
          if (++n === 3) {
            clearInterval(tick);
            res.end();
          }
        }, 5);
      } else if (req.url === "/headers") {
        const json = JSON.stringify({ method: req.method, headers: req.headers, body });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
        res.end(json);
      } else if (req.url === "/close") {
        res.writeHead(200, { connection: "close", "content-length": 2 });
        res.end("ok");
      } else if (req.url === "/hang") {
        // Never answers.
      } else {
        res.writeHead(404, { "content-length": 0 });
        res.end();
      }
    });
  });
  server.on("connection", (socket: Socket) => {
    count.opened();
    sockets.add(socket);
    socket.on("close", () => {
      count.closed();
      sockets.delete(socket);
    });
  });
  const port = await listenOnFreePort(server as unknown as Server);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: count.read,
    stop: () => stopServer(server, sockets),
  };
}

/** A raw server whose handler sees every request (as text) with its socket and per-connection count. */
export async function startRawTestServer(
  onRequest: (socket: Socket, requestNumberOnSocket: number) => void,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let n = 0;
    let buffered = "";
    socket.on("data", (data) => {
      buffered += data.toString("latin1");
      // Requests in these tests carry small bodies: the end of one is its Content-Length after the head.
      for (;;) {
        const headEnd = buffered.indexOf("\r\n\r\n");
        if (headEnd < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, headEnd))?.[1] ?? 0);
        if (buffered.length < headEnd + 4 + length) return;
        buffered = buffered.slice(headEnd + 4 + length);
        onRequest(socket, ++n);
      }
    });
  });
  const port = await listenOnFreePort(server);
  return { url: `http://127.0.0.1:${port}`, stop: () => stopServer(server, sockets) };
}

/** A TCP proxy in front of `targetPort` that counts the connections clients open (server-side view). */
export async function startCountingProxy(targetPort: number): Promise<TestServer> {
  const { connect } = await import("node:net");
  const count = connectionCount();
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    count.opened();
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", () => {
      count.closed();
      sockets.delete(client);
      end();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      end();
    });
  });
  const port = await listenOnFreePort(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: count.read,
    stop: () => stopServer(server, sockets),
  };
}
