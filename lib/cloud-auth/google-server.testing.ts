// Test helper: a local stand-in for Google's OAuth token endpoint and the metadata server, on
// 127.0.0.1 (port 0). The token endpoint checks a service account's JWT bearer assertion as Google
// does: RS256 signature verified with the account's public key, issuer, audience (this endpoint),
// and a live iat/exp window; or exchanges an authorized user's refresh token. Each token it issues
// is random and remembered with its scope, so the fakes of Google APIs can check a bearer token
// (`accepts`) the way the real ones do.
import { createVerify, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";

export const SERVICE_ACCOUNT = "bench@proj-sa.iam.gserviceaccount.com";
const REFRESH_TOKEN = "refresh-token-of-the-test-user";
const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

export type TokenKind = "service_account" | "metadata" | "authorized_user";

export interface GoogleTokenServer {
  /** Base URL; the token endpoint is `${url}/token`. */
  url: string;
  /** For GCE_METADATA_HOST (host:port). */
  metadataHost: string;
  /** Writes a service-account key file (project proj-sa) whose token_uri is this server. */
  serviceAccountKey(dir: string, options?: { privateKeyPem?: string }): string;
  /** Writes an authorized_user file whose token_uri is this server. */
  authorizedUserKey(dir: string): string;
  /** The kind of a token this server issued for a scope that covers `scope`, else null. */
  accepts(authorization: string | undefined, scope: string): TokenKind | null;
  /** Grant types asked for, in order (e.g. "urn:ietf:params:oauth:grant-type:jwt-bearer"). */
  grants(): readonly string[];
  /** Assertions refused (bad signature, issuer, audience or time). */
  refusedAssertions(): number;
  stop(): Promise<void>;
}

export async function startGoogleTokenServer(): Promise<GoogleTokenServer> {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const issued = new Map<string, { kind: TokenKind; scope: string }>();
  const grants: string[] = [];
  let refused = 0;
  let base = "";
  const issue = (kind: TokenKind, scope: string) => {
    const token = `ya29.${kind}-${randomBytes(16).toString("hex")}`;
    issued.set(token, { kind, scope });
    return { access_token: token, expires_in: 3600, token_type: "Bearer" };
  };
  const server = createServer((req, res) => {
    readBody(req).then((body) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname.startsWith("/computeMetadata/v1/")) {
        if (req.headers["metadata-flavor"] !== "Google") return json(res, 403, { error: "Metadata-Flavor" });
        if (url.pathname.endsWith("/project/project-id")) return res.end("proj-meta");
        if (url.pathname.endsWith("/service-accounts/default/token"))
          return json(res, 200, issue("metadata", CLOUD_PLATFORM));
        return json(res, 404, {});
      }
      if (url.pathname !== "/token" || req.method !== "POST") return json(res, 404, {});
      const form = new URLSearchParams(body);
      const grant = form.get("grant_type") ?? "";
      grants.push(grant);
      if (grant === "refresh_token") {
        return form.get("refresh_token") === REFRESH_TOKEN
          ? json(res, 200, issue("authorized_user", CLOUD_PLATFORM))
          : json(res, 400, { error: "invalid_grant" });
      }
      const claims = verifiedClaims(form.get("assertion") ?? "", publicKey, `${base}/token`);
      if (grant !== "urn:ietf:params:oauth:grant-type:jwt-bearer" || claims === null) {
        refused++;
        return json(res, 400, { error: "invalid_grant", error_description: "Invalid JWT Signature." });
      }
      json(res, 200, issue("service_account", String(claims.scope ?? "")));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  base = `http://${host}`;
  return {
    url: base,
    metadataHost: host,
    serviceAccountKey(dir, options = {}) {
      const path = join(dir, `sa-${randomBytes(4).toString("hex")}.json`);
      writeFileSync(
        path,
        JSON.stringify({
          type: "service_account",
          project_id: "proj-sa",
          private_key_id: "k1",
          private_key: options.privateKeyPem ?? pem,
          client_email: SERVICE_ACCOUNT,
          token_uri: `${base}/token`,
        }),
      );
      return path;
    },
    authorizedUserKey(dir) {
      const path = join(dir, `user-${randomBytes(4).toString("hex")}.json`);
      writeFileSync(
        path,
        JSON.stringify({
          type: "authorized_user",
          client_id: "c",
          client_secret: "client-secret-of-the-test-user",
          refresh_token: REFRESH_TOKEN,
          token_uri: `${base}/token`,
        }),
      );
      return path;
    },
    accepts(authorization, scope) {
      const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
      const entry = token === undefined ? undefined : issued.get(token);
      if (entry === undefined) return null;
      const scopes = entry.scope.split(" ");
      return scopes.includes(scope) || scopes.includes(CLOUD_PLATFORM) ? entry.kind : null;
    },
    grants: () => grants,
    refusedAssertions: () => refused,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `host:port` on 127.0.0.1 where nothing listens (a metadata server that is not there). */
export async function deadHost(): Promise<string> {
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(dead.address() as { port: number }).port}`;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  return host;
}

/** The claims of a JWT bearer assertion that Google would accept, else null. */
function verifiedClaims(jwt: string, publicKey: KeyObject, audience: string): Record<string, unknown> | null {
  const [head, claims, signature] = jwt.split(".");
  if (head === undefined || claims === undefined || signature === undefined) return null;
  let header: { alg?: string };
  let body: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, "base64url").toString());
    body = JSON.parse(Buffer.from(claims, "base64url").toString());
  } catch {
    return null;
  }
  if (header.alg !== "RS256") return null;
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${head}.${claims}`);
  if (!verifier.verify(publicKey, Buffer.from(signature, "base64url"))) return null;
  const now = Math.floor(Date.now() / 1000);
  const iat = Number(body.iat);
  const exp = Number(body.exp);
  // Google allows an hour at most and a little clock skew.
  if (!(iat <= now + 300 && exp > now && exp - iat <= 3600)) return null;
  if (body.iss !== SERVICE_ACCOUNT || body.aud !== audience) return null;
  return body;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => resolve(body));
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}
