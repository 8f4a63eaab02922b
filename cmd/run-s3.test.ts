// End-to-end: `inferload run` writing its reports locally, then to an S3-compatible server the test
// starts (s3rver, every request's Signature Version 4 checked: lib/storage/s3-server.testing.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import { simForTests } from "../lib/run/benchmark.testing.ts";
import { type S3TestServer, startS3TestServer } from "../lib/storage/s3-server.testing.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";
import { captureStderr, setEnvForTests, writeCloudRunConfig } from "./run-config.testing.ts";

const dir = tempDirForTests("inferload-s3-run-");
const sim = simForTests({ prefillMs: 1, itlMs: 1 });
let s3: S3TestServer;
const saved = { ...process.env };
beforeAll(async () => {
  s3 = await startS3TestServer(["bench"]);
});
afterAll(async () => {
  setEnvForTests(saved);
  await s3.stop();
});

function useCredentials(secret: string | null): void {
  setEnvForTests(saved, {
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    HOME: dir,
    AWS_PROFILE: undefined,
    AWS_SECRET_ACCESS_KEY: secret ?? undefined,
  });
}

function writeConfig(name: string, storage: Record<string, unknown>): string {
  return writeCloudRunConfig(dir, sim().url, name, storage);
}

async function get(key: string): Promise<Response> {
  const client = new AwsClient({
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    service: "s3",
  });
  return client.fetch(`${s3.url}/bench/${key}`);
}

describe("storage.simple_storage_service", () => {
  test("uploads every report the run wrote locally, byte for byte, under path and report_file_prefix", async () => {
    useCredentials(s3.secretAccessKey);
    const config = writeConfig("ok", {
      simple_storage_service: {
        bucket_name: "bench",
        endpoint_url: s3.url,
        path: "runs/{timestamp}",
        report_file_prefix: "cloud-",
        addressing_style: "path",
      },
    });
    expect(await runCli(["run", "-c", config, "--quiet"])).toBe(0);
    const local = readFileSync(join(dir, "ok", "local-summary_lifecycle_metrics.json"), "utf8");
    // {timestamp} became YYYYMMDD-HHMMSS; find it from the saved config.
    const stamp = /runs\/(\d{8}-\d{6})/.exec(readFileSync(join(dir, "ok", "local-config.yaml"), "utf8"))?.[1];
    expect(stamp).toBeDefined();
    for (const name of ["summary_lifecycle_metrics.json", "stage_0_lifecycle_metrics.json", "config.yaml"]) {
      const response = await get(`runs/${stamp}/cloud-${name}`);
      expect(response.status).toBe(200);
      if (name === "summary_lifecycle_metrics.json") expect(await response.text()).toBe(local);
    }
    expect(s3.refused()).toBe(0);
  }, 30_000);

  test("an upload the server fails keeps the local reports, says where they are and exits 1", async () => {
    useCredentials(s3.secretAccessKey);
    // A bucket that answers the check but refuses writes (a read-only policy).
    const readOnly = await startS3TestServer(["bench"], { readOnly: true });
    try {
      const config = writeConfig("refused", {
        simple_storage_service: { bucket_name: "bench", endpoint_url: readOnly.url, path: "refused" },
      });
      const errors = await captureStderr(() => runCli(["run", "-c", config, "--quiet"]), 1);
      expect(existsSync(join(dir, "refused", "local-summary_lifecycle_metrics.json"))).toBe(true);
      expect(errors).toContain(
        "Upload failed: s3://bench/refused/summary_lifecycle_metrics.json: PUT answered 403: AccessDenied: Access Denied",
      );
      expect(errors).toContain(`The reports are kept in ${join(dir, "refused")}`);
    } finally {
      await readOnly.stop();
    }
  }, 30_000);

  test("a wrong secret is refused before any load (exit 2), and the secret is never printed", async () => {
    useCredentials("not-the-secret");
    const before = sim().stats().requestsByModel["sim-model"] ?? 0;
    const config = writeConfig("wrong", {
      simple_storage_service: { bucket_name: "bench", endpoint_url: s3.url },
    });
    const errors = await captureStderr(() => runCli(["run", "-c", config]), 2);
    expect(s3.refused()).toBeGreaterThan(0);
    expect(errors).toContain("answered 403");
    expect(errors).not.toContain("not-the-secret");
    expect(sim().stats().requestsByModel["sim-model"] ?? 0).toBe(before);
    expect(existsSync(join(dir, "wrong", "local-summary_lifecycle_metrics.json"))).toBe(false);
  }, 30_000);

  test("no credentials anywhere is refused before any load (exit 2)", async () => {
    useCredentials(null);
    const config = writeConfig("none", {
      simple_storage_service: { bucket_name: "bench", endpoint_url: s3.url },
    });
    expect(await runCli(["run", "-c", config, "--quiet"])).toBe(2);
  });

  test("credentials from a profile in the shared credentials file work", async () => {
    useCredentials(null);
    delete process.env.AWS_ACCESS_KEY_ID;
    const file = join(dir, "credentials");
    writeFileSync(
      file,
      `[bench]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`,
    );
    process.env.AWS_SHARED_CREDENTIALS_FILE = file;
    process.env.AWS_PROFILE = "bench";
    const config = writeConfig("profile", {
      simple_storage_service: { bucket_name: "bench", endpoint_url: s3.url, path: "profile" },
    });
    expect(await runCli(["run", "-c", config, "--quiet"])).toBe(0);
    expect((await get("profile/summary_lifecycle_metrics.json")).status).toBe(200);
  }, 30_000);
});
