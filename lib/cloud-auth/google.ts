// Google Application Default Credentials, found where Google's client libraries look
// (google.auth.default), for any Google API a run talks to (Managed Prometheus, Cloud Storage):
//   1. GOOGLE_APPLICATION_CREDENTIALS → a service-account key (a JWT signed RS256 with its private
//      key, exchanged at its token_uri: the OAuth 2.0 JWT bearer grant, RFC 7523) or an
//      `authorized_user` file (its refresh token exchanged);
//   2. gcloud's application_default_credentials.json (CLOUDSDK_CONFIG, else ~/.config/gcloud);
//   3. the metadata server (GCE, GKE Workload Identity, Cloud Run), at GCE_METADATA_HOST when set.
// Not handled: workload identity federation (`external_account`) and impersonated credentials.
// Tokens are cached until a minute before they expire. No value read here is ever logged: messages
// name the file or the server, never a key, secret or token.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";

export type Env = Readonly<Record<string, string | undefined>>;

export interface GoogleCredentials {
  /** Where they came from, for messages (a file path or the metadata server). */
  readonly source: string;
  /** True when they come from the metadata server (which also knows the project). */
  readonly fromMetadata: boolean;
  /** The project the key file names (project_id, else quota_project_id), or null. */
  readonly keyProject: string | null;
  /** Values read from the key file that must never be printed (private key, refresh token). */
  readonly secrets: readonly string[];
  /** `{Authorization: "Bearer …"}`, refreshed when the token nears expiry. */
  headers(): Promise<Record<string, string>>;
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

export interface GoogleCredentialOptions {
  /** The OAuth scope a service account asks for (default: cloud-platform). */
  scope?: string;
  timeoutMs?: number;
}

/** The credentials the environment names; throws Error when a named key file cannot be used. */
export function findGoogleCredentials(env: Env, options: GoogleCredentialOptions = {}): GoogleCredentials {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const path = keyFilePath(env);
  if (path !== null) {
    const key = readKeyFile(path);
    return cached({
      source: path,
      fromMetadata: false,
      keyProject: key.project_id ?? key.quota_project_id ?? null,
      secrets: [key.private_key, key.client_secret, key.refresh_token].filter(
        (s): s is string => typeof s === "string" && s !== "",
      ),
      fetchToken: tokenFromKeyFile(key, path, options.scope ?? CLOUD_PLATFORM_SCOPE, timeoutMs),
    });
  }
  const host = metadataHost(env);
  return cached({
    source: `the metadata server (${host})`,
    fromMetadata: true,
    keyProject: null,
    secrets: [],
    fetchToken: async () => {
      let text: string;
      try {
        text = await metadataGet(env, "instance/service-accounts/default/token", timeoutMs);
      } catch (error) {
        throw new Error(`${noCredentials} (${messageOf(error)})`);
      }
      const body = JSON.parse(text) as { access_token?: string; expires_in?: number };
      if (typeof body.access_token !== "string")
        throw new Error("the metadata server returned no access_token");
      return { token: body.access_token, expiresInS: body.expires_in ?? 3600 };
    },
  });
}

/** What to say when no source answered: where the lookup went. */
export const noCredentials =
  "Cannot find Google Cloud credentials: GOOGLE_APPLICATION_CREDENTIALS is not set, there is no gcloud application-default login, and the metadata server did not answer";

/** GET `computeMetadata/v1/<path>` on the metadata server (GCE_METADATA_HOST, else Google's name). */
export function metadataGet(env: Env, path: string, timeoutMs: number): Promise<string> {
  return fetchText(`http://${metadataHost(env)}/computeMetadata/v1/${path}`, {
    headers: { "Metadata-Flavor": "Google" },
    timeoutMs,
  });
}

function metadataHost(env: Env): string {
  return env.GCE_METADATA_HOST || "metadata.google.internal";
}

function cached(parts: Omit<GoogleCredentials, "headers"> & { fetchToken: TokenFetch }): GoogleCredentials {
  const { fetchToken, ...rest } = parts;
  let current: { token: string; untilMs: number } | null = null;
  return {
    ...rest,
    async headers() {
      if (current === null || Date.now() >= current.untilMs) {
        const fresh = await fetchToken();
        current = { token: fresh.token, untilMs: Date.now() + Math.max(0, fresh.expiresInS - 60) * 1000 };
      }
      return { Authorization: `Bearer ${current.token}` };
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
    // The parser's message can quote the file's text (a private key): name the problem only.
    const why = error instanceof SyntaxError ? "not valid JSON" : messageOf(error);
    throw new Error(`Cannot read Google credentials "${path}": ${why}`);
  }
}

function tokenFromKeyFile(key: KeyFile, path: string, scope: string, timeoutMs: number): TokenFetch {
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
        assertion: signedJwt({ email, privateKey, audience: tokenUri, scope }),
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
export function signedJwt(claims: {
  email: string;
  privateKey: string;
  audience: string;
  scope?: string;
  nowS?: number;
}): string {
  const nowS = claims.nowS ?? Math.floor(Date.now() / 1000);
  const b64 = (value: object | Buffer) =>
    (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString("base64url");
  const head = b64({ alg: "RS256", typ: "JWT" });
  const body = b64({
    iss: claims.email,
    scope: claims.scope ?? CLOUD_PLATFORM_SCOPE,
    aud: claims.audience,
    iat: nowS,
    exp: nowS + 3600,
  });
  // node:crypto on first use only: the compiled binary loads every statically imported node: module
  // at each thread's start (docs/PERFORMANCE.md "Start-up").
  const signer = process.getBuiltinModule("node:crypto").createSign("RSA-SHA256");
  signer.update(`${head}.${body}`);
  return `${head}.${body}.${b64(signer.sign(claims.privateKey))}`;
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
