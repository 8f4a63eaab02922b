// TcpListen over node:net: runs under Bun, Deno and Node.
import type { Socket } from "node:net";
import type { TcpAccept, TcpListener, TcpListenOptions } from "./tcp-listen.ts";
import { nodeSocketWrites, reportNodeSocket } from "./tcp-node.ts";

function serveSocket(socket: Socket, accept: TcpAccept, open: Set<Socket>): void {
  socket.setNoDelay(true);
  open.add(socket);
  const events = accept(nodeSocketWrites(socket));
  reportNodeSocket(socket, {
    onData: (chunk) => events.onData(chunk),
    onClose: (error) => {
      open.delete(socket);
      events.onClose(error);
    },
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
