// `inferload run` with server.cert_path / server.key_path against a server that requires a client
// certificate (a TLS front on the built-in simulator), asserting on what the server saw and on the
// report files. The run trusts the test CA through NODE_EXTRA_CA_CERTS, as a user with a private CA
// would: like inference-perf, cert_path is presented to the server, never trusted as a CA.
import { afterAll, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { log } from "../lib/cli/log.ts";
import { type MtlsProxy, makeTestPki, startMtlsProxy, type TestPki } from "../lib/http/tls.testing.ts";
import {
  randomData,
  readReport,
  simConfig,
  simForTests,
  writeConfigFile,
} from "../lib/run/benchmark.testing.ts";
import { runCli } from "./main.ts";

const MAIN = join(import.meta.dirname, "main.ts");
let pki: TestPki;
const sim = simForTests({ prefillMs: 2, itlMs: 1 });
let proxy: MtlsProxy;

beforeAll(async () => {
  pki = makeTestPki();
  proxy = await startMtlsProxy(pki, sim().port);
});

afterAll(async () => {
  await proxy.stop();
  pki.remove();
});

function writeConfig(name: string, server: Record<string, unknown>): string {
  const config = simConfig(proxy.url, {
    server,
    data: randomData({ min: 10, max: 20, mean: 15, std_dev: 2 }, { min: 4, max: 8, mean: 6, std_dev: 1 }),
    load: { num_workers: 2, base_seed: 7, stages: [{ rate: 20, duration: 1 }] },
  });
  return writeConfigFile(pki.dir, config, name);
}

/** Run the CLI as a process (NODE_EXTRA_CA_CERTS is read at start-up), without blocking our servers. */
function runProcess(args: string[], env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
}

test("run presents the client certificate on every connection to a server that requires one", async () => {
  const out = join(pki.dir, "reports");
  const config = writeConfig("mtls", { cert_path: pki.files.clientCert, key_path: pki.files.clientKey });
  const before = sim().stats().completed;
  const code = await runProcess(["run", "-c", config, "--quiet", "--output-dir", out], {
    NODE_EXTRA_CA_CERTS: pki.files.ca,
  });
  expect(code).toBe(0);
  const stage = readReport(out, "stage_0_lifecycle_metrics.json");
  expect(stage.successes.count).toBe(20);
  expect(sim().stats().completed - before).toBe(20);
  expect(proxy.clients.length).toBeGreaterThanOrEqual(2); // the wait for the server, then each Worker
  expect(new Set(proxy.clients)).toEqual(new Set(["inferload-client"]));
  rmSync(out, { recursive: true, force: true });
}, 60_000);

describe("a client certificate that cannot be used stops the run before any request, exit 2", () => {
  // Each case names the problem the error must report (the exit code alone would not tell why).
  test.each([
    [
      "a missing certificate file",
      () => ({ cert_path: join(pki.dir, "nope.pem"), key_path: pki.files.clientKey }),
      'server.cert_path: cannot read "',
    ],
    [
      "a key where the certificate should be",
      () => ({ cert_path: pki.files.clientKey, key_path: pki.files.clientKey }),
      'server.cert_path: expected a PEM certificate in "',
    ],
    [
      "an encrypted key",
      () => ({ cert_path: pki.files.clientCert, key_path: pki.files.encryptedClientKey }),
      "server.key_path: expected an unencrypted PEM private key",
    ],
    [
      "the key of another certificate",
      () => ({ cert_path: pki.files.clientCert, key_path: pki.files.otherKey }),
      "server.key_path: expected the private key of the certificate",
    ],
    [
      "a certificate without its key",
      () => ({ cert_path: pki.files.clientCert }),
      "server.key_path: expected a file path, as server.cert_path is set",
    ],
  ])("%s", async (name, server, problem) => {
    const [connections, requests] = [proxy.clients.length, sim().stats().httpRequests];
    const errors = spyOn(log, "error").mockImplementation(Object.assign(() => {}, { raw: () => {} }));
    try {
      const config = writeConfig(name.replaceAll(" ", "-"), server());
      expect(await runCli(["run", "-c", config, "--quiet", "--output-dir", join(pki.dir, "never")])).toBe(2);
      expect(errors.mock.calls.flat().join("\n")).toContain(problem);
    } finally {
      errors.mockRestore();
    }
    expect(proxy.clients.length).toBe(connections);
    expect(sim().stats().httpRequests).toBe(requests);
  });
});
