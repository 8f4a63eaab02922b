// Google Cloud Managed Service for Prometheus: the query endpoint and an access token from
// Application Default Credentials, found where Google's client libraries look (google.auth.default):
//   1. GOOGLE_APPLICATION_CREDENTIALS → a service-account key (a signed JWT exchanged at its token_uri)
//      or an `authorized_user` file (its refresh token exchanged);
//   2. gcloud's application_default_credentials.json (CLOUDSDK_CONFIG, else ~/.config/gcloud);
//   3. the metadata server (GCE, GKE Workload Identity, Cloud Run), at GCE_METADATA_HOST when set.
// The project comes from GOOGLE_CLOUD_PROJECT (or GCLOUD_PROJECT), else the credentials, else the
// metadata server. Not handled: workload identity federation (`external_account`) and impersonated
// credentials. Tokens are cached until a minute before they expire.
import { createSign } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";

export type Env = Readonly<Record<string, string | undefined>>;

export interface GoogleAuth {
  readonly project: string;
  /** Where queries go: the project's global Prometheus API (or INFERLOAD_GMP_URL). */
  readonly baseUrl: string;
  /** `{Authorization: "Bearer …"}`, refreshed when the token nears expiry. */
  headers(): Promise<Record<string, string>>;
  /** Where the credentials came from, for the log. */
  readonly source: string;
}

interface KeyFile {
  type?: string;
  project_id?: string;
  quota_project_id?: string;
  client_email?: string;
  private_key?: string;
  token_uri?: string;
  client_id?: string;
  client_secret?: string;
  refresh_token?: string;
}

type TokenFetch = () => Promise<{ token: string; expiresInS: number }>;

export async function googleAuth(env: Env, timeoutMs = 10_000): Promise<GoogleAuth> {
  const explicitProject = env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || null;
  const metadataHost = env.GCE_METADATA_HOST || "metadata.google.internal";
  const metadata = (path: string) =>
    fetchText(`http://${metadataHost}/computeMetadata/v1/${path}`, {
      headers: { "Metadata-Flavor": "Google" },
      timeoutMs,
    });
  const fileSource = keyFilePath(env);
  let fetchToken: TokenFetch;
  let project: string | null = explicitProject;
  let source: string;
  if (fileSource !== null) {
    const key = readKeyFile(fileSource);
    project ??= key.project_id ?? key.quota_project_id ?? null;
    fetchToken = tokenFromKeyFile(key, fileSource, timeoutMs);
    source = fileSource;
  } else {
    source = `the metadata server (${metadataHost})`;
    fetchToken = async () => {
      const body = JSON.parse(await metadata("instance/service-accounts/default/token")) as {
        access_token?: string;
        expires_in?: number;
      };
      if (typeof body.access_token !== "string")
        throw new Error("the metadata server returned no access_token");
      return { token: body.access_token, expiresInS: body.expires_in ?? 3600 };
    };
    if (project === null) {
      try {
        project = (await metadata("project/project-id")).trim();
      } catch (error) {
        throw new Error(
          `Cannot find Google Cloud credentials: GOOGLE_APPLICATION_CREDENTIALS is not set, there is no gcloud application-default login, and the metadata server did not answer (${messageOf(error)})`,
        );
      }
    }
  }
  if (project === null || project === "") {
    throw new Error(`Cannot tell the Google Cloud project from ${source}: set GOOGLE_CLOUD_PROJECT`);
  }
  const baseUrl =
    env.INFERLOAD_GMP_URL ||
    `https://monitoring.googleapis.com/v1/projects/${encodeURIComponent(project)}/location/global/prometheus`;
  let cached: { token: string; untilMs: number } | null = null;
  return {
    project,
    baseUrl,
    source,
    async headers() {
      if (cached === null || Date.now() >= cached.untilMs) {
        const fresh = await fetchToken();
        cached = { token: fresh.token, untilMs: Date.now() + Math.max(0, fresh.expiresInS - 60) * 1000 };
      }
      return { Authorization: `Bearer ${cached.token}` };
    },
  };
}

function keyFilePath(env: Env): string | null {
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return env.GOOGLE_APPLICATION_CREDENTIALS;
  const dir = env.CLOUDSDK_CONFIG || join(env.HOME || homedir(), ".config", "gcloud");
  const adc = join(dir, "application_default_credentials.json");
  return existsSync(adc) ? adc : null;
}

function readKeyFile(path: string): KeyFile {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as KeyFile;
  } catch (error) {
    throw new Error(`Cannot read Google credentials "${path}": ${messageOf(error)}`);
  }
}

function tokenFromKeyFile(key: KeyFile, path: string, timeoutMs: number): TokenFetch {
  const tokenUri = key.token_uri ?? DEFAULT_TOKEN_URI;
  const exchange = async (form: Record<string, string>) => {
    const text = await fetchText(tokenUri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
      timeoutMs,
    });
    const body = JSON.parse(text) as { access_token?: string; expires_in?: number };
    if (typeof body.access_token !== "string") throw new Error(`${tokenUri} returned no access_token`);
    return { token: body.access_token, expiresInS: body.expires_in ?? 3600 };
  };
  if (key.type === "service_account") {
    if (!key.client_email || !key.private_key)
      throw new Error(
        `Google credentials "${path}": a service account key needs client_email and private_key`,
      );
    const { client_email: email, private_key: privateKey } = key;
    return () =>
      exchange({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: signedJwt(email, privateKey, tokenUri),
      });
  }
  if (key.type === "authorized_user") {
    if (!key.client_id || !key.client_secret || !key.refresh_token)
      throw new Error(`Google credentials "${path}": expected client_id, client_secret and refresh_token`);
    const form = {
      grant_type: "refresh_token",
      client_id: key.client_id,
      client_secret: key.client_secret,
      refresh_token: key.refresh_token,
    };
    return () => exchange(form);
  }
  throw new Error(
    `Google credentials "${path}": type "${key.type}" is not supported (supported: service_account, authorized_user, or the metadata server)`,
  );
}

/** The OAuth 2.0 JWT bearer assertion of a service account (RFC 7523), signed RS256. */
export function signedJwt(
  email: string,
  privateKey: string,
  audience: string,
  nowS = Math.floor(Date.now() / 1000),
): string {
  const b64 = (value: object | Buffer) =>
    (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString("base64url");
  const head = b64({ alg: "RS256", typ: "JWT" });
  const claims = b64({ iss: email, scope: SCOPE, aud: audience, iat: nowS, exp: nowS + 3600 });
  const signer = createSign("RSA-SHA256");
  signer.update(`${head}.${claims}`);
  return `${head}.${claims}.${b64(signer.sign(privateKey))}`;
}

async function fetchText(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number },
): Promise<string> {
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
