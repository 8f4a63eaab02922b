// TcpConnect over node:net / node:tls: runs under Bun, Deno and Node.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { TcpConnection, TcpEvents, TcpOptions } from "./tcp.ts";

export function nodeConnect(options: TcpOptions, events: TcpEvents): TcpConnection {
  const { host, port, tls } = options;
  const socket: Socket =
    tls === null
      ? netConnect({ host, port })
      : tlsConnect({
          host,
          port,
          servername: tls.servername,
          ...(tls.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls.key === undefined ? {} : { key: tls.key }),
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          rejectUnauthorized: tls.rejectUnauthorized,
        });
  socket.setNoDelay(true);
  socket.once(tls === null ? "connect" : "secureConnect", () => events.onOpen());
  let error: Error | null = null;
  socket.on("data", (chunk: Uint8Array) => {
    // As with Bun.connect: a throwing handler ends the connection, with its error as the reason.
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
  socket.on("close", () => events.onClose(error));
  return {
    write: (data) => {
      socket.write(data);
    },
    end: () => {
      socket.end();
    },
    destroy: () => {
      socket.destroy();
    },
  };
}
