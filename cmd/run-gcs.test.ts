// End-to-end: `inferload run` writing its reports locally, then to a Google Cloud Storage JSON API
// server the test starts (lib/storage/gcs-server.testing.ts), authorized by a bearer token from a
// token endpoint that verifies the service account's RS256-signed JWT
// (lib/cloud-auth/google-server.testing.ts), or as an emulator named by STORAGE_EMULATOR_HOST.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type GoogleTokenServer, startGoogleTokenServer } from "../lib/cloud-auth/google-server.testing.ts";
import { simForTests } from "../lib/run/benchmark.testing.ts";
import { type GcsTestServer, startGcsTestServer } from "../lib/storage/gcs-server.testing.ts";
import { tempDirForTests } from "../lib/storage/temp-dir.testing.ts";
import { runCli } from "./main.ts";
import { captureStderr, setEnvForTests, writeCloudRunConfig } from "./run-config.testing.ts";

const dir = tempDirForTests("inferload-gcs-run-");
const sim = simForTests({ prefillMs: 1, itlMs: 1 });
let google: GoogleTokenServer;
let gcs: GcsTestServer;
const saved = { ...process.env };
beforeAll(async () => {
  google = await startGoogleTokenServer();
  gcs = await startGcsTestServer({ buckets: ["bench"], auth: google });
});
afterAll(async () => {
  setEnvForTests(saved);
  await gcs.stop();
  await google.stop();
});

/** A clean Google environment: no gcloud login, no metadata server, then `vars`. */
function useEnv(vars: Record<string, string>): void {
  setEnvForTests(saved, {
    HOME: mkdtempSync(join(dir, "home-")),
    GCE_METADATA_HOST: "127.0.0.1:9",
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    STORAGE_EMULATOR_HOST: undefined,
    CLOUDSDK_CONFIG: undefined,
    ...vars,
  });
}

const reportNames = ["summary_lifecycle_metrics.json", "stage_0_lifecycle_metrics.json", "config.yaml"];

describe("storage.google_cloud_storage", () => {
  test("uploads every report the run wrote locally, byte for byte, under path and report_file_prefix", async () => {
    useEnv({ GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir), INFERLOAD_GCS_URL: gcs.url });
    const config = writeCloudRunConfig(dir, sim().url, "ok", {
      google_cloud_storage: { bucket_name: "bench", path: "runs/{timestamp}", report_file_prefix: "cloud-" },
    });
    expect(await runCli(["run", "-c", config, "--quiet"])).toBe(0);
    const stamp = /runs\/(\d{8}-\d{6})/.exec(readFileSync(join(dir, "ok", "local-config.yaml"), "utf8"))?.[1];
    expect(stamp).toBeDefined();
    for (const name of reportNames) {
      const stored = gcs.object("bench", `runs/${stamp}/cloud-${name}`);
      expect(stored?.body.toString()).toBe(readFileSync(join(dir, "ok", `local-${name}`), "utf8"));
      expect(stored?.contentType).toBe(name.endsWith(".json") ? "application/json" : "text/yaml");
    }
    // The JWT bearer grant was used, and every storage request carried an accepted token.
    expect(google.grants()).toContain("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(gcs.refused()).toBe(0);
  }, 30_000);

  test("an object that already exists is skipped, not overwritten", async () => {
    useEnv({ GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir), INFERLOAD_GCS_URL: gcs.url });
    const storage = { google_cloud_storage: { bucket_name: "bench", path: "fixed" } };
    expect(
      await runCli(["run", "-c", writeCloudRunConfig(dir, sim().url, "first", storage), "--quiet"]),
    ).toBe(0);
    const before = gcs.object("bench", "fixed/summary_lifecycle_metrics.json")?.body.toString();
    const errors = await captureStderr(
      () => runCli(["run", "-c", writeCloudRunConfig(dir, sim().url, "second", storage)]),
      0,
    );
    expect(errors).toContain(
      "Skipped upload: gs://bench/fixed/summary_lifecycle_metrics.json already exists",
    );
    expect(gcs.object("bench", "fixed/summary_lifecycle_metrics.json")?.body.toString()).toBe(
      before as string,
    );
  }, 30_000);

  test("an upload the server refuses keeps the local reports, says where they are and exits 1", async () => {
    const readOnly = await startGcsTestServer({ buckets: ["bench"], auth: google, readOnly: true });
    try {
      useEnv({
        GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir),
        INFERLOAD_GCS_URL: readOnly.url,
      });
      const config = writeCloudRunConfig(dir, sim().url, "refused", {
        google_cloud_storage: { bucket_name: "bench", path: "refused" },
      });
      const errors = await captureStderr(() => runCli(["run", "-c", config, "--quiet"]), 1);
      expect(existsSync(join(dir, "refused", "local-summary_lifecycle_metrics.json"))).toBe(true);
      expect(errors).toContain(
        "Upload failed: gs://bench/refused/summary_lifecycle_metrics.json: POST answered 403: bench@proj-sa.iam.gserviceaccount.com does not have storage.objects.create access",
      );
      expect(errors).toContain(`The reports are kept in ${join(dir, "refused")}`);
      expect(errors).not.toContain("ya29."); // no access token in any message
    } finally {
      await readOnly.stop();
    }
  }, 30_000);

  test("a key the token endpoint refuses stops the run before any load (exit 2); no secret is printed", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    useEnv({
      GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir, { privateKeyPem: other }),
      INFERLOAD_GCS_URL: gcs.url,
    });
    const before = sim().stats().requestsByModel["sim-model"] ?? 0;
    const config = writeCloudRunConfig(dir, sim().url, "wrong-key", {
      google_cloud_storage: { bucket_name: "bench" },
    });
    const errors = await captureStderr(() => runCli(["run", "-c", config]), 2);
    expect(errors).toContain("Cannot upload reports to storage.google_cloud_storage");
    expect(errors).toContain("answered HTTP 400");
    expect(errors).not.toContain("PRIVATE KEY");
    expect(sim().stats().requestsByModel["sim-model"] ?? 0).toBe(before);
    expect(existsSync(join(dir, "wrong-key", "local-summary_lifecycle_metrics.json"))).toBe(false);
  }, 30_000);

  test("a bucket that does not exist stops the run before any load (exit 2)", async () => {
    useEnv({ GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir), INFERLOAD_GCS_URL: gcs.url });
    const config = writeCloudRunConfig(dir, sim().url, "no-bucket", {
      google_cloud_storage: { bucket_name: "missing" },
    });
    const errors = await captureStderr(() => runCli(["run", "-c", config]), 2);
    expect(errors).toContain(`bucket "missing" does not exist at ${gcs.url}`);
  }, 30_000);

  test("no credentials anywhere is refused before any load (exit 2), saying where it looked", async () => {
    useEnv({ INFERLOAD_GCS_URL: gcs.url });
    const config = writeCloudRunConfig(dir, sim().url, "none", {
      google_cloud_storage: { bucket_name: "bench" },
    });
    const errors = await captureStderr(() => runCli(["run", "-c", config]), 2);
    expect(errors).toContain("GOOGLE_APPLICATION_CREDENTIALS is not set");
  }, 30_000);

  test("STORAGE_EMULATOR_HOST: an emulator gets the reports and no credentials at all", async () => {
    const emulator = await startGcsTestServer({ buckets: ["bench"], auth: null });
    try {
      // A key file is set too: Google's libraries send an emulator no credentials regardless.
      useEnv({
        GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir),
        STORAGE_EMULATOR_HOST: emulator.url.slice("http://".length),
      });
      const config = writeCloudRunConfig(dir, sim().url, "emulated", {
        google_cloud_storage: { bucket_name: "bench", path: "emu" },
      });
      expect(await runCli(["run", "-c", config, "--quiet"])).toBe(0);
      for (const name of reportNames) expect(emulator.object("bench", `emu/${name}`)).toBeDefined();
      expect(emulator.withCredentials()).toBe(0);
    } finally {
      await emulator.stop();
    }
  }, 30_000);
});
