// Test helper: a small Google Cloud Storage JSON API server on 127.0.0.1 (port 0), objects in
// memory. No npm package serves GCS's wire protocol (the emulators are Go or Python, or the whole
// Firebase CLI, which checks no token), so this implements the endpoints a report upload uses, with
// the real API's paths, status codes and JSON error shapes:
//   GET  /storage/v1/b/BUCKET                         bucket metadata, or 404
//   GET  /storage/v1/b/BUCKET/o/OBJECT                object metadata (?alt=media: its bytes), or 404
//   GET  /download/storage/v1/b/BUCKET/o/OBJECT?alt=media   its bytes
//   POST /upload/storage/v1/b/BUCKET/o?uploadType=media&name=OBJECT   a simple media upload
// With a token server, every request must carry a bearer token that server issued for a storage
// scope (401 otherwise, as Google answers); without one it is an emulator (no auth), and counts the
// requests that carried credentials anyway.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { GoogleTokenServer } from "../cloud-auth/google-server.testing.ts";

const READ_WRITE = "https://www.googleapis.com/auth/devstorage.read_write";

export interface StoredObject {
  body: Buffer;
  contentType: string;
}

export interface GcsTestServer {
  url: string;
  /** The object as stored, or undefined. */
  object(bucket: string, name: string): StoredObject | undefined;
  /** Requests refused for their credentials (401). */
  refused(): number;
  /** Requests that carried an Authorization header (an emulator should see none). */
  withCredentials(): number;
  stop(): Promise<void>;
}

export async function startGcsTestServer(options: {
  buckets: readonly string[];
  /** Null: an emulator that takes no credentials. */
  auth: GoogleTokenServer | null;
  /** Every authorized upload is refused with 403 (an account with read access only). */
  readOnly?: boolean;
}): Promise<GcsTestServer> {
  const objects = new Map<string, Map<string, StoredObject>>(options.buckets.map((b) => [b, new Map()]));
  let refused = 0;
  let withCredentials = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.headers.authorization !== undefined) withCredentials++;
      if (options.auth !== null && options.auth.accepts(req.headers.authorization, READ_WRITE) === null) {
        refused++;
        return googleError(res, 401, "Invalid Credentials", "authError");
      }
      route(req, res, Buffer.concat(chunks));
    });
  });

  function route(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const url = new URL(req.url ?? "/", "http://x");
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    const object = /^\/(?:download\/)?storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    const bucketOnly = /^\/storage\/v1\/b\/([^/]+)$/.exec(url.pathname);
    const bucketName = decodeURIComponent((upload ?? object ?? bucketOnly)?.[1] ?? "");
    const bucket = objects.get(bucketName);
    if (upload === null && object === null && bucketOnly === null)
      return googleError(res, 404, "Not Found", "notFound");
    if (bucket === undefined)
      return googleError(res, 404, "The specified bucket does not exist.", "notFound");
    if (bucketOnly !== null && req.method === "GET") {
      return json(res, 200, { kind: "storage#bucket", id: bucketName, name: bucketName });
    }
    if (upload !== null && req.method === "POST") {
      if (url.searchParams.get("uploadType") !== "media")
        return googleError(
          res,
          400,
          "Upload requests must include an uploadType URL parameter and a URL parameter name",
          "invalid",
        );
      const name = url.searchParams.get("name");
      if (!name) return googleError(res, 400, "Required", "required");
      if (options.readOnly === true) {
        return googleError(
          res,
          403,
          `bench@proj-sa.iam.gserviceaccount.com does not have storage.objects.create access to the Google Cloud Storage object. Permission 'storage.objects.create' denied on resource (or it may not exist).`,
          "forbidden",
        );
      }
      const stored = { body, contentType: req.headers["content-type"] ?? "application/octet-stream" };
      bucket.set(name, stored);
      return json(res, 200, resource(bucketName, name, stored));
    }
    if (object !== null && req.method === "GET") {
      const name = decodeURIComponent(object[2] ?? "");
      const stored = bucket.get(name);
      if (stored === undefined)
        return googleError(res, 404, `No such object: ${bucketName}/${name}`, "notFound");
      if (url.searchParams.get("alt") === "media") {
        res.writeHead(200, { "content-type": stored.contentType });
        return void res.end(stored.body);
      }
      return json(res, 200, resource(bucketName, name, stored));
    }
    googleError(res, 405, "Method Not Allowed", "invalid");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    object: (bucket, name) => objects.get(bucket)?.get(name),
    refused: () => refused,
    withCredentials: () => withCredentials,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function resource(bucket: string, name: string, stored: StoredObject): Record<string, unknown> {
  return {
    kind: "storage#object",
    id: `${bucket}/${name}/1`,
    name,
    bucket,
    size: String(stored.body.length),
    contentType: stored.contentType,
    md5Hash: createHash("md5").update(stored.body).digest("base64"),
  };
}

function googleError(res: ServerResponse, code: number, message: string, reason: string): void {
  json(res, code, { error: { code, message, errors: [{ message, domain: "global", reason }] } });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  res.end(JSON.stringify(value));
}
