// Google Managed Prometheus against a local fake of Google's endpoints: the metadata server, the
// OAuth token endpoint (which checks the service account's signed JWT) and the project's
// Prometheus query API (which checks the bearer token).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createVerify, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, oneStage } from "../config/facts.testing.ts";
import { createServerMetricsSource } from "./create.ts";
import { googleAuth } from "./gmp-auth.ts";

const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const dir = mkdtempSync(join(tmpdir(), "inferload-gmp-"));
let server: Server;
let base = "";
const seen = { tokenGrants: [] as string[], queryAuth: [] as string[], metadataTokens: 0 };

function verifyJwt(jwt: string): Record<string, unknown> | null {
  const [head, claims, signature] = jwt.split(".");
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${head}.${claims}`);
  if (!verifier.verify(publicKey, Buffer.from(signature ?? "", "base64url"))) return null;
  return JSON.parse(Buffer.from(claims ?? "", "base64url").toString());
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (url.pathname.startsWith("/computeMetadata/")) {
        if (req.headers["metadata-flavor"] !== "Google")
          return json(403, { error: "missing Metadata-Flavor" });
        if (url.pathname.endsWith("/project/project-id")) return res.end("proj-meta");
        seen.metadataTokens++;
        return json(200, { access_token: "meta-token", expires_in: 3600, token_type: "Bearer" });
      }
      if (url.pathname === "/token" && req.method === "POST") {
        const form = new URLSearchParams(body);
        seen.tokenGrants.push(form.get("grant_type") ?? "");
        if (form.get("grant_type") === "refresh_token") {
          return form.get("refresh_token") === "r1"
            ? json(200, { access_token: "user-token", expires_in: 3600 })
            : json(400, {});
        }
        const claims = verifyJwt(form.get("assertion") ?? "");
        if (
          claims === null ||
          claims.iss !== "bench@proj-sa.iam.gserviceaccount.com" ||
          claims.aud !== `${base}/token`
        )
          return json(401, { error: "invalid_grant" });
        return json(200, { access_token: "sa-token", expires_in: 3600 });
      }
      if (url.pathname.endsWith("/location/global/prometheus/api/v1/query")) {
        seen.queryAuth.push(req.headers.authorization ?? "");
        if (!/^Bearer (sa|meta|user)-token$/.test(req.headers.authorization ?? ""))
          return json(401, { status: "error", error: "unauthenticated" });
        return json(200, {
          status: "success",
          data: { resultType: "vector", result: [{ metric: {}, value: [1, "1"] }] },
        });
      }
      json(404, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const keyFile = (name: string, content: object) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
};
const serviceAccount = () =>
  keyFile("sa.json", {
    type: "service_account",
    project_id: "proj-sa",
    client_email: "bench@proj-sa.iam.gserviceaccount.com",
    private_key: pem,
    token_uri: `${base}/token`,
  });
/** No gcloud login in a temporary home. */
const noGcloud = () => ({ HOME: mkdtempSync(join(dir, "home-")) });

describe("googleAuth()", () => {
  test("a service account key: a signed JWT exchanged at its token_uri; the project from the key", async () => {
    const auth = await googleAuth({ ...noGcloud(), GOOGLE_APPLICATION_CREDENTIALS: serviceAccount() });
    expect(auth.project).toBe("proj-sa");
    expect(auth.baseUrl).toBe(
      "https://monitoring.googleapis.com/v1/projects/proj-sa/location/global/prometheus",
    );
    expect(await auth.headers()).toEqual({ Authorization: "Bearer sa-token" });
    // Cached until it nears expiry.
    const grants = seen.tokenGrants.length;
    await auth.headers();
    expect(seen.tokenGrants.length).toBe(grants);
  });

  test("an authorized_user file: its refresh token exchanged; GOOGLE_CLOUD_PROJECT names the project", async () => {
    const path = keyFile("user.json", {
      type: "authorized_user",
      client_id: "c",
      client_secret: "s",
      refresh_token: "r1",
      token_uri: `${base}/token`,
    });
    const auth = await googleAuth({
      ...noGcloud(),
      GOOGLE_APPLICATION_CREDENTIALS: path,
      GOOGLE_CLOUD_PROJECT: "p2",
    });
    expect(auth.project).toBe("p2");
    expect(await auth.headers()).toEqual({ Authorization: "Bearer user-token" });
  });

  test("no key file: the metadata server gives the token and the project", async () => {
    const auth = await googleAuth({ ...noGcloud(), GCE_METADATA_HOST: base.slice("http://".length) });
    expect(auth.project).toBe("proj-meta");
    expect(await auth.headers()).toEqual({ Authorization: "Bearer meta-token" });
  });

  test("no credentials anywhere: an error that says where it looked", async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const host = `127.0.0.1:${(dead.address() as { port: number }).port}`;
    await new Promise<void>((r) => dead.close(() => r()));
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
      GOOGLE_APPLICATION_CREDENTIALS: serviceAccount(),
      INFERLOAD_GMP_URL: `${base}/v1/projects/proj-sa/location/global/prometheus`,
    };
    const source = await createServerMetricsSource(config, { model: "m", env });
    expect(source?.description).toContain('project "proj-sa"');
    expect(await source?.check()).toBeNull();
    expect(seen.queryAuth.at(-1)).toBe("Bearer sa-token");
  });

  test("credentials that cannot be found fail the start check with the reason", async () => {
    const env = { ...noGcloud(), GOOGLE_APPLICATION_CREDENTIALS: join(dir, "missing.json") };
    const source = await createServerMetricsSource(config, { model: "m", env });
    expect(await source?.check()).toContain("Cannot read Google credentials");
  });
});
