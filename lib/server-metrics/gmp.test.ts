// Google Managed Prometheus against local fakes of Google's endpoints: the token endpoint and
// metadata server (lib/cloud-auth/google-server.testing.ts, which verifies the service account's
// signed JWT) and the project's Prometheus query API (here, which checks the bearer token).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  deadHost,
  type GoogleTokenServer,
  startGoogleTokenServer,
} from "../cloud-auth/google-server.testing.ts";
import { build, oneStage } from "../config/facts.testing.ts";
import { createServerMetricsSource } from "./create.ts";
import { googleAuth } from "./gmp-auth.ts";

const MONITORING_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const dir = mkdtempSync(join(tmpdir(), "inferload-gmp-"));
let google: GoogleTokenServer;
let prometheus: Server;
let base = "";
const queryAuth: (string | null)[] = [];

beforeAll(async () => {
  google = await startGoogleTokenServer();
  prometheus = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (!url.pathname.endsWith("/location/global/prometheus/api/v1/query")) return json(404, {});
    const kind = google.accepts(req.headers.authorization, MONITORING_SCOPE);
    queryAuth.push(kind);
    if (kind === null) return json(401, { status: "error", error: "unauthenticated" });
    json(200, {
      status: "success",
      data: { resultType: "vector", result: [{ metric: {}, value: [1, "1"] }] },
    });
  });
  await new Promise<void>((r) => prometheus.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(prometheus.address() as { port: number }).port}`;
});

afterAll(async () => {
  prometheus.close();
  await google.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** No gcloud login in a temporary home. */
const noGcloud = () => ({ HOME: mkdtempSync(join(dir, "home-")) });

describe("googleAuth()", () => {
  test("a service account key: the project from the key, the project's global Prometheus API", async () => {
    const auth = await googleAuth({
      ...noGcloud(),
      GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir),
    });
    expect(auth.project).toBe("proj-sa");
    expect(auth.baseUrl).toBe(
      "https://monitoring.googleapis.com/v1/projects/proj-sa/location/global/prometheus",
    );
    expect(google.accepts((await auth.headers()).Authorization, MONITORING_SCOPE)).toBe("service_account");
  });

  test("an authorized_user file: GOOGLE_CLOUD_PROJECT names the project", async () => {
    const auth = await googleAuth({
      ...noGcloud(),
      GOOGLE_APPLICATION_CREDENTIALS: google.authorizedUserKey(dir),
      GOOGLE_CLOUD_PROJECT: "p2",
    });
    expect(auth.project).toBe("p2");
    expect(google.accepts((await auth.headers()).Authorization, MONITORING_SCOPE)).toBe("authorized_user");
  });

  test("no key file: the metadata server gives the token and the project", async () => {
    const auth = await googleAuth({ ...noGcloud(), GCE_METADATA_HOST: google.metadataHost });
    expect(auth.project).toBe("proj-meta");
    expect(google.accepts((await auth.headers()).Authorization, MONITORING_SCOPE)).toBe("metadata");
  });

  test("no credentials anywhere: an error that says where it looked", async () => {
    const host = await deadHost();
    await expect(googleAuth({ ...noGcloud(), GCE_METADATA_HOST: host }, 500)).rejects.toThrow(
      "GOOGLE_APPLICATION_CREDENTIALS is not set",
    );
  });
});

describe("metrics.prometheus.google_managed", () => {
  const config = build({
    load: oneStage,
    server: { base_url: "http://127.0.0.1:9", model_name: "m" },
    metrics: { type: "prometheus", prometheus: { google_managed: true, scrape_interval: 1 } },
  }).config;

  test("queries the project's endpoint with the service account's token", async () => {
    const env = {
      ...noGcloud(),
      GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir),
      INFERLOAD_GMP_URL: `${base}/v1/projects/proj-sa/location/global/prometheus`,
    };
    const source = await createServerMetricsSource(config, { model: "m", env });
    expect(source?.description).toContain('project "proj-sa"');
    expect(await source?.check()).toBeNull();
    expect(queryAuth.at(-1)).toBe("service_account");
  });

  test("credentials that cannot be found fail the start check with the reason", async () => {
    const env = { ...noGcloud(), GOOGLE_APPLICATION_CREDENTIALS: join(dir, "missing.json") };
    const source = await createServerMetricsSource(config, { model: "m", env });
    expect(await source?.check()).toContain("Cannot read Google credentials");
  });
});
