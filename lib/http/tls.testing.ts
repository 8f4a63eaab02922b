// Test helper: a throwaway PKI made with the openssl CLI (on CI images and dev machines): a CA, a
// server certificate for 127.0.0.1 and a client certificate (clientAuth), both signed by the CA, plus
// a second key, an encrypted copy of the client key, and a self-signed "stranger" client certificate
// (no server trusts it) for the negative cases. EC P-256: fast to make.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { listenOnFreePort, stopServer } from "./test-server.testing.ts";

export interface TestPki {
  dir: string;
  /** File paths. */
  files: {
    ca: string;
    serverCert: string;
    serverKey: string;
    clientCert: string;
    clientKey: string;
    otherKey: string;
    encryptedClientKey: string;
    strangerCert: string;
    strangerKey: string;
  };
  /** PEM texts. */
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  remove(): void;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

/** A certificate for `cn` signed by the CA in `dir`, with the given extensions. */
function signed(dir: string, name: string, cn: string, extensions: string): void {
  openssl(dir, ["req", ...EC, "-subj", `/CN=${cn}`, "-keyout", `${name}.key`, "-out", `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-set_serial",
    String(Date.now()),
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  ]);
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "inferload-pki-"));
  try {
    openssl(dir, [
      "req",
      "-x509",
      ...EC,
      "-days",
      "2",
      "-subj",
      "/CN=inferload test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    ]);
    signed(dir, "server", "127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    signed(dir, "client", "inferload-client", "extendedKeyUsage=clientAuth\n");
    openssl(dir, [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-out",
      "other.key",
    ]);
    openssl(dir, [
      "pkey",
      "-in",
      "client.key",
      "-aes256",
      "-passout",
      "pass:secret",
      "-out",
      "client-enc.key",
    ]);
    openssl(
      dir,
      ["req", "-x509", ...EC, "-days", "2", "-subj", "/CN=stranger"].concat([
        "-keyout",
        "stranger.key",
        "-out",
        "stranger.pem",
      ]),
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const files = {
    ca: join(dir, "ca.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client.key"),
    otherKey: join(dir, "other.key"),
    encryptedClientKey: join(dir, "client-enc.key"),
    strangerCert: join(dir, "stranger.pem"),
    strangerKey: join(dir, "stranger.key"),
  };
  const text = (path: string) => readFileSync(path, "utf8");
  return {
    dir,
    files,
    ca: text(files.ca),
    serverCert: text(files.serverCert),
    serverKey: text(files.serverKey),
    clientCert: text(files.clientCert),
    clientKey: text(files.clientKey),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface MtlsProxy {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The client certificate's common name, per connection the proxy accepted. */
  clients: string[];
  stop(): Promise<void>;
}

/**
 * A TLS front for a plain server on 127.0.0.1:targetPort that requires a client certificate signed by
 * the test CA (requestCert + rejectUnauthorized), then passes bytes through both ways.
 */
export async function startMtlsProxy(pki: TestPki, targetPort: number): Promise<MtlsProxy> {
  const clients: string[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createTlsServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    (client: TLSSocket) => {
      clients.push(String(client.getPeerCertificate().subject?.CN ?? ""));
      const upstream = connect({ host: "127.0.0.1", port: targetPort });
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    },
  );
  server.on("tlsClientError", () => {}); // refusing a client without a good certificate is the job
  const port = await listenOnFreePort(server as unknown as Server);
  return {
    url: `https://127.0.0.1:${port}`,
    clients,
    stop: () => stopServer(server, sockets),
  };
}
