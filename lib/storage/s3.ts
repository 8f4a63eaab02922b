// Report upload to S3 or an S3-compatible store (storage.simple_storage_service), after the local
// copy is written: each file PUT (AWS Signature Version 4, aws4fetch) at `<path>/<prefix><name>`
// (leading "/" dropped), skipped when the key already exists (inference-perf checks with
// head_object). Endpoint: endpoint_url, else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS's
// regional endpoint. Addressing: "path" (`endpoint/bucket/key`) or "virtual" (`bucket.endpoint/key`);
// "auto" or unset picks virtual for AWS's own endpoints and a DNS-safe bucket, path otherwise.
import { AwsClient } from "aws4fetch";
import type { AwsCredentials } from "../cloud-auth/aws.ts";
import { type UploadTarget, uploadEach } from "./upload-common.ts";

export interface S3Settings {
  bucket_name: string;
  path: string;
  report_file_prefix: string | null;
  endpoint_url: string | null;
  region_name: string | null;
  addressing_style: "auto" | "virtual" | "path" | null;
}

export type S3Target = UploadTarget;

type Env = Readonly<Record<string, string | undefined>>;

export function createS3Target(
  settings: S3Settings,
  credentials: AwsCredentials,
  region: string,
  env: Env,
): S3Target {
  const client = new AwsClient({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    service: "s3",
    region,
  });
  const endpoint = (
    settings.endpoint_url ||
    env.AWS_ENDPOINT_URL_S3 ||
    env.AWS_ENDPOINT_URL ||
    `https://s3.${region}.amazonaws.com`
  ).replace(/\/+$/, "");
  const bucket = settings.bucket_name;
  const custom = Boolean(settings.endpoint_url || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  const style = settings.addressing_style ?? "auto";
  const virtual =
    style === "virtual" || (style === "auto" && !custom && /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket));
  const urlOf = (key: string) => {
    const path = key === "" ? "" : `/${key.split("/").map(encodeURIComponent).join("/")}`;
    if (!virtual) return `${endpoint}/${encodeURIComponent(bucket)}${path}`;
    const url = new URL(endpoint);
    url.hostname = `${bucket}.${url.hostname}`;
    return `${url.origin}${path}`;
  };
  const send = (method: string, key: string, body?: string, type?: string) =>
    client.fetch(urlOf(key), {
      method,
      ...(body === undefined ? {} : { body }),
      ...(type === undefined ? {} : { headers: { "content-type": type } }),
    });
  return {
    describe: (key) => `s3://${bucket}/${key}`,
    async checkBucket() {
      try {
        const response = await send("HEAD", "");
        if (response.ok) return null;
        return response.status === 404
          ? `bucket "${bucket}" does not exist at ${endpoint}`
          : `HEAD bucket "${bucket}" at ${endpoint} answered ${response.status}`;
      } catch (error) {
        return `cannot reach ${endpoint}: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    upload: (files) =>
      uploadEach(files, settings, {
        exists: async (key) => (await send("HEAD", key)).ok,
        async put(key, body, type) {
          const put = await send("PUT", key, body, type);
          return put.ok ? null : `PUT answered ${put.status}: ${s3Error(await put.text())}`;
        },
      }),
  };
}

/** `<Code>: <Message>` of an S3 XML error body, else its start. */
function s3Error(xml: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  if (code !== undefined) return message === undefined ? code : `${code}: ${message}`;
  return xml.slice(0, 200);
}
