// TcpListen over Bun.listen. Accepted sockets get the client adapter's connection wrapper and handler
// table (tcp-bun.ts), so queueing on a short write, drain and the one close report work the same.
import type { SocketHandler } from "bun";
import type { TcpEvents } from "./tcp.ts";
import { BunConnection, bunSocketHandlers } from "./tcp-bun.ts";
import type { TcpAccept, TcpListener, TcpListenOptions } from "./tcp-listen.ts";

const UNSET: TcpEvents = {
  onOpen() {},
  onData() {},
  onClose() {},
};

export function bunListen(options: TcpListenOptions, accept: TcpAccept): Promise<TcpListener> {
  const open = new Set<BunConnection>();
  const handlers: SocketHandler<BunConnection> = {
    ...bunSocketHandlers,
    open(socket) {
      const conn = new BunConnection(UNSET, false);
      conn.socket = socket;
      socket.data = conn;
      socket.setNoDelay(true);
      open.add(conn);
      const events = accept(conn);
      conn.events = {
        onOpen: () => events.onOpen(),
        onData: (chunk) => events.onData(chunk),
        onClose: (error) => {
          open.delete(conn);
          events.onClose(error);
        },
      };
      conn.events.onOpen();
    },
  };
  try {
    const server = Bun.listen<BunConnection>({
      hostname: options.host,
      port: options.port,
      socket: handlers,
    });
    return Promise.resolve({
      host: options.host,
      port: server.port,
      close: () => {
        server.stop(true);
        for (const conn of open) conn.destroy();
        return Promise.resolve();
      },
    });
  } catch (error) {
    return Promise.reject(error);
  }
}
