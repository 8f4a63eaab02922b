// TcpListen over node:net: runs under Bun, Deno and Node.
import type { Socket } from "node:net";
import type { TcpConnection } from "./tcp.ts";
import type { TcpAccept, TcpListener, TcpListenOptions } from "./tcp-listen.ts";

function serveSocket(socket: Socket, accept: TcpAccept, open: Set<Socket>): void {
  socket.setNoDelay(true);
  open.add(socket);
  let closed = false;
  const connection: TcpConnection = {
    write: (data) => {
      if (!closed) socket.write(data);
    },
    end: () => {
      socket.end();
    },
    destroy: () => {
      socket.destroy();
    },
  };
  const events = accept(connection);
  let error: Error | null = null;
  socket.on("data", (chunk: Uint8Array) => {
    try {
      events.onData(chunk);
    } catch (e) {
      socket.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  });
  // "error" is always followed by "close", which reports it.
  socket.on("error", (e: Error) => {
    error = e;
  });
  socket.on("close", () => {
    closed = true;
    open.delete(socket);
    events.onClose(error);
  });
  events.onOpen();
}

export function nodeListen(options: TcpListenOptions, accept: TcpAccept): Promise<TcpListener> {
  // Taken on first use: the compiled binary loads every statically imported node: module at each
  // thread's start (docs/PERFORMANCE.md "Start-up"), and only the simulator serves.
  const net = process.getBuiltinModule("node:net");
  const open = new Set<Socket>();
  const server = net.createServer((socket) => serveSocket(socket, accept, open));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : options.port;
      resolve({
        host: options.host,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of open) socket.destroy();
          }),
      });
    });
  });
}
