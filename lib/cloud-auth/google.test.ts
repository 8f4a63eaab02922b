// Application Default Credentials against a local stand-in for Google's token endpoint and metadata
// server (google-server.testing.ts), which verifies the service account's RS256 signature.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findGoogleCredentials } from "./google.ts";
import { deadHost, type GoogleTokenServer, startGoogleTokenServer } from "./google-server.testing.ts";

const STORAGE_RW = "https://www.googleapis.com/auth/devstorage.read_write";
let google: GoogleTokenServer;
let dir: string;
beforeAll(async () => {
  google = await startGoogleTokenServer();
  dir = mkdtempSync(join(tmpdir(), "inferload-google-"));
});
afterAll(async () => {
  await google.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** No gcloud login in a fresh home. */
const noGcloud = () => ({ HOME: mkdtempSync(join(dir, "home-")) });

describe("findGoogleCredentials()", () => {
  test("a service account key: a JWT signed RS256 for the scope asked, exchanged at its token_uri", async () => {
    const path = google.serviceAccountKey(dir);
    const credentials = findGoogleCredentials(
      { ...noGcloud(), GOOGLE_APPLICATION_CREDENTIALS: path },
      { scope: STORAGE_RW },
    );
    expect(credentials.source).toBe(path);
    expect(credentials.keyProject).toBe("proj-sa");
    const { Authorization } = await credentials.headers();
    expect(google.accepts(Authorization, STORAGE_RW)).toBe("service_account");
    // The private key is listed so the caller can mask it.
    expect(credentials.secrets.some((s) => s.includes("PRIVATE KEY"))).toBe(true);
  });

  test("a token is cached until it nears expiry", async () => {
    const credentials = findGoogleCredentials({
      ...noGcloud(),
      GOOGLE_APPLICATION_CREDENTIALS: google.serviceAccountKey(dir),
    });
    const first = await credentials.headers();
    const grants = google.grants().length;
    expect(await credentials.headers()).toEqual(first);
    expect(google.grants().length).toBe(grants);
  });

  test("a key signed with another private key is refused by the token endpoint", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const path = google.serviceAccountKey(dir, { privateKeyPem: other });
    const refused = google.refusedAssertions();
    const credentials = findGoogleCredentials({ ...noGcloud(), GOOGLE_APPLICATION_CREDENTIALS: path });
    await expect(credentials.headers()).rejects.toThrow("answered HTTP 400");
    expect(google.refusedAssertions()).toBe(refused + 1);
  });

  test("gcloud's application-default login is found under CLOUDSDK_CONFIG", async () => {
    const gcloud = mkdtempSync(join(dir, "gcloud-"));
    const user = google.authorizedUserKey(dir);
    copyFileSync(user, join(gcloud, "application_default_credentials.json"));
    const credentials = findGoogleCredentials({ ...noGcloud(), CLOUDSDK_CONFIG: gcloud });
    expect(credentials.source).toBe(join(gcloud, "application_default_credentials.json"));
    expect(google.accepts((await credentials.headers()).Authorization, STORAGE_RW)).toBe("authorized_user");
  });

  test("no key file: the metadata server's token", async () => {
    const credentials = findGoogleCredentials({ ...noGcloud(), GCE_METADATA_HOST: google.metadataHost });
    expect(credentials.fromMetadata).toBe(true);
    expect(google.accepts((await credentials.headers()).Authorization, STORAGE_RW)).toBe("metadata");
  });

  test("no credentials anywhere: the token fetch says where it looked", async () => {
    const host = await deadHost();
    const credentials = findGoogleCredentials({ ...noGcloud(), GCE_METADATA_HOST: host }, { timeoutMs: 500 });
    await expect(credentials.headers()).rejects.toThrow("GOOGLE_APPLICATION_CREDENTIALS is not set");
  });

  test("a key file that is not JSON is named without quoting its text", () => {
    const path = join(dir, "broken.json");
    writeFileSync(path, "-----BEGIN PRIVATE KEY----- secret-looking-bytes");
    expect(() => findGoogleCredentials({ ...noGcloud(), GOOGLE_APPLICATION_CREDENTIALS: path })).toThrow(
      `Cannot read Google credentials "${path}": not valid JSON`,
    );
    try {
      findGoogleCredentials({ ...noGcloud(), GOOGLE_APPLICATION_CREDENTIALS: path });
    } catch (error) {
      expect(String(error)).not.toContain("secret-looking-bytes");
    }
  });
});
