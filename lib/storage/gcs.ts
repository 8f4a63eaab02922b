// Report upload to Google Cloud Storage (storage.google_cloud_storage), after the local copy is
// written, over the JSON API with fetch: the bucket is looked up first (inference-perf's
// lookup_bucket), then each file is written with a simple media upload
// (`POST /upload/storage/v1/b/BUCKET/o?uploadType=media&name=KEY`) unless the object already
// exists (inference-perf's blob.exists(), a GET of its metadata). Key: `<path>/<prefix><name>`.
//
// Endpoint: https://storage.googleapis.com; STORAGE_EMULATOR_HOST (as Google's client libraries
// read it: an emulator, sent no credentials at all); INFERLOAD_GCS_URL (another endpoint that still
// takes the bearer token, e.g. a proxy).
import { type UploadTarget, uploadEach } from "./upload-common.ts";

export interface GcsSettings {
  bucket_name: string;
  path: string;
  report_file_prefix: string | null;
}

export interface GcsEndpoint {
  url: string;
  /** True for an emulator: no Authorization header is sent (Google's libraries send none either). */
  anonymous: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Where the JSON API is, from the environment. Pure. */
export function gcsEndpoint(env: Env): GcsEndpoint {
  const emulator = env.STORAGE_EMULATOR_HOST;
  if (emulator) {
    // A bare host:port is an emulator on plain HTTP (the Go client's reading); a URL is kept.
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(emulator) ? emulator : `http://${emulator}`;
    return { url: url.replace(/\/+$/, ""), anonymous: true };
  }
  const url = env.INFERLOAD_GCS_URL || "https://storage.googleapis.com";
  return { url: url.replace(/\/+$/, ""), anonymous: false };
}

export function createGcsTarget(
  settings: GcsSettings,
  endpoint: GcsEndpoint,
  /** The Authorization header (not called for an emulator). */
  authorize: () => Promise<Record<string, string>>,
  timeoutMs = 60_000,
): UploadTarget {
  const bucket = settings.bucket_name;
  const bucketUrl = `${endpoint.url}/storage/v1/b/${encodeURIComponent(bucket)}`;
  const send = async (url: string, init: { method?: string; body?: string; type?: string } = {}) => {
    const headers: Record<string, string> = endpoint.anonymous ? {} : await authorize();
    if (init.type !== undefined) headers["content-type"] = init.type;
    return fetch(url, {
      method: init.method ?? "GET",
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  };
  return {
    describe: (key) => `gs://${bucket}/${key}`,
    async checkBucket() {
      try {
        const response = await send(`${bucketUrl}?projection=noAcl&fields=name`);
        if (response.ok) return null;
        const why = gcsError(await response.text());
        return response.status === 404
          ? `bucket "${bucket}" does not exist at ${endpoint.url}`
          : `GET bucket "${bucket}" at ${endpoint.url} answered ${response.status}: ${why}`;
      } catch (error) {
        return `cannot reach ${endpoint.url}: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    upload: (files) =>
      uploadEach(files, settings, {
        async exists(key) {
          const response = await send(`${bucketUrl}/o/${encodeURIComponent(key)}?fields=name`);
          await response.body?.cancel();
          return response.ok;
        },
        async put(key, body, type) {
          const url = `${endpoint.url}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=media&name=${encodeURIComponent(key)}`;
          const response = await send(url, { method: "POST", body, type });
          if (response.ok) {
            await response.body?.cancel();
            return null;
          }
          return `POST answered ${response.status}: ${gcsError(await response.text())}`;
        },
      }),
  };
}

/** The `error.message` of a JSON API error body, else the body's start. */
function gcsError(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === "string") return message;
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200);
}
