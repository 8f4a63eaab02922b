// The TLS client certificate (mTLS) of server.cert_path / server.key_path: both PEM files read once,
// before any load (the main thread checks them, each Worker reads them when it starts), and checked:
// a certificate, an unencrypted private key, and the key belonging to that certificate. As in
// inference-perf, the certificate is only presented to the server; it is not trusted as a CA.
import type { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileErrorReason, UserError } from "../cli/errors.ts";

/** PEM texts for the transport's TLS options. */
export interface ClientCertificate {
  cert: string;
  key: string;
}

export interface ClientCertificatePaths {
  cert_path: string | null;
  key_path: string | null;
}

/** PKCS#8 "ENCRYPTED PRIVATE KEY", or a traditional key with an encryption header (no passphrase support). */
const ENCRYPTED_KEY =
  /-----BEGIN (?:ENCRYPTED PRIVATE KEY|[A-Z]+ PRIVATE KEY-----\r?\nProc-Type: 4,ENCRYPTED)/;

/** Every problem with a certificate and key as "server.x: expected …, got …" lines. Pure. */
export function clientCertificateProblems(
  pem: ClientCertificate,
  paths: { cert_path: string; key_path: string },
): string[] {
  const problems: string[] = [];
  // node:crypto on first use only: the compiled binary loads every statically imported node: module
  // at each thread's start (docs/PERFORMANCE.md "Start-up").
  const { createPrivateKey, X509Certificate } = process.getBuiltinModule("node:crypto");
  let certificate: X509Certificate | null = null;
  if (!pem.cert.includes("-----BEGIN CERTIFICATE-----")) {
    problems.push(
      `server.cert_path: expected a PEM certificate in "${paths.cert_path}", got no "-----BEGIN CERTIFICATE-----" block`,
    );
  } else {
    try {
      certificate = new X509Certificate(pem.cert);
    } catch {
      problems.push(
        `server.cert_path: expected a PEM certificate in "${paths.cert_path}", got a block that does not parse as one`,
      );
    }
  }
  if (ENCRYPTED_KEY.test(pem.key)) {
    problems.push(
      `server.key_path: expected an unencrypted PEM private key in "${paths.key_path}", got an encrypted one (decrypt it first, e.g. openssl pkey -in KEY -out KEY.plain)`,
    );
    return problems;
  }
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(pem.key)) {
    problems.push(
      `server.key_path: expected a PEM private key in "${paths.key_path}", got no "-----BEGIN PRIVATE KEY-----" block`,
    );
    return problems;
  }
  try {
    const key = createPrivateKey(pem.key);
    if (certificate !== null && !certificate.checkPrivateKey(key)) {
      problems.push(
        `server.key_path: expected the private key of the certificate in "${paths.cert_path}", got another key in "${paths.key_path}"`,
      );
    }
  } catch {
    problems.push(
      `server.key_path: expected a PEM private key in "${paths.key_path}", got a block that does not parse as one`,
    );
  }
  return problems;
}

function readText(field: string, path: string, problems: string[]): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    problems.push(`${field}: cannot read "${path}": ${fileErrorReason(error)}`);
    return "";
  }
}

/**
 * The client certificate the config names, or null when it names none. Throws one UserError listing
 * every problem (unreadable file, not PEM, key and certificate that do not match).
 */
export function readClientCertificate(server: ClientCertificatePaths): ClientCertificate | null {
  const { cert_path, key_path } = server;
  if (cert_path === null && key_path === null) return null;
  if (cert_path === null || key_path === null) {
    // The config schema refuses this already; kept for callers that build a server section by hand.
    throw new UserError("Cannot use a client certificate: server.cert_path and server.key_path go together");
  }
  const problems: string[] = [];
  const pem = {
    cert: readText("server.cert_path", cert_path, problems),
    key: readText("server.key_path", key_path, problems),
  };
  if (problems.length === 0) problems.push(...clientCertificateProblems(pem, { cert_path, key_path }));
  if (problems.length > 0) {
    throw new UserError("Cannot use the client certificate (server.cert_path, server.key_path)", {
      details: problems,
    });
  }
  return pem;
}
