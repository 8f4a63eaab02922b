import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.ts";
import { makeTestPki, type TestPki } from "../http/tls.testing.ts";
import { readClientCertificate } from "./client-cert.ts";

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

/** The problem lines of the UserError readClientCertificate throws, with the temp dir as "D". */
function problems(paths: { cert_path: string; key_path: string }): string[] {
  try {
    readClientCertificate(paths);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      "Cannot use the client certificate (server.cert_path, server.key_path)",
    );
    return (error as UserError).details.map((line) => line.replaceAll(pki.dir, "D"));
  }
  throw new Error("expected a UserError");
}

describe("readClientCertificate()", () => {
  test("is null when the config names no client certificate", () => {
    expect(readClientCertificate({ cert_path: null, key_path: null })).toBeNull();
  });

  test("gives the PEM texts of a certificate and its key", () => {
    const pem = readClientCertificate({ cert_path: pki.files.clientCert, key_path: pki.files.clientKey });
    expect(pem).toEqual({ cert: pki.clientCert, key: pki.clientKey });
  });

  test("accepts one file holding both the certificate and its key", () => {
    const both = join(pki.dir, "both.pem");
    writeFileSync(both, `${pki.clientCert}${pki.clientKey}`);
    expect(readClientCertificate({ cert_path: both, key_path: both })).not.toBeNull();
  });

  test("names every file it cannot read, and why", () => {
    expect(problems({ cert_path: join(pki.dir, "nope.pem"), key_path: pki.dir })).toEqual([
      'server.cert_path: cannot read "D/nope.pem": file not found',
      'server.key_path: cannot read "D": it is a directory',
    ]);
  });

  test("refuses files that are not a PEM certificate and an unencrypted PEM key", () => {
    expect(problems({ cert_path: pki.files.clientKey, key_path: pki.files.encryptedClientKey })).toEqual([
      'server.cert_path: expected a PEM certificate in "D/client.key", got no "-----BEGIN CERTIFICATE-----" block',
      'server.key_path: expected an unencrypted PEM private key in "D/client-enc.key", got an encrypted one (decrypt it first, e.g. openssl pkey -in KEY -out KEY.plain)',
    ]);
    expect(problems({ cert_path: pki.files.clientCert, key_path: pki.files.clientCert })).toEqual([
      'server.key_path: expected a PEM private key in "D/client.pem", got no "-----BEGIN PRIVATE KEY-----" block',
    ]);
  });

  test("refuses PEM blocks that do not parse", () => {
    const broken = join(pki.dir, "broken.pem");
    writeFileSync(broken, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
    const brokenKey = join(pki.dir, "broken.key");
    writeFileSync(brokenKey, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    expect(problems({ cert_path: broken, key_path: brokenKey })).toEqual([
      'server.cert_path: expected a PEM certificate in "D/broken.pem", got a block that does not parse as one',
      'server.key_path: expected a PEM private key in "D/broken.key", got a block that does not parse as one',
    ]);
  });

  test("refuses a key that does not belong to the certificate", () => {
    expect(problems({ cert_path: pki.files.clientCert, key_path: pki.files.otherKey })).toEqual([
      'server.key_path: expected the private key of the certificate in "D/client.pem", got another key in "D/other.key"',
    ]);
  });
});
