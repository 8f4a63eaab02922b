// Cloud copies of the reports (storage.simple_storage_service, storage.google_cloud_storage):
// found and checked before any load (credentials from the standard places, the bucket answers),
// uploaded after the local copy is written. An upload failure keeps the local copy; the caller says
// where and exits non-zero. Credentials and tokens are registered as secrets, so no message shows them.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { UserError } from "../cli/errors.ts";
import { log } from "../cli/log.ts";
import { rememberSecrets } from "../cli/secrets.ts";
import { findAwsCredentials, findAwsRegion } from "../cloud-auth/aws.ts";
import { findGoogleCredentials } from "../cloud-auth/google.ts";
import type { Config } from "../config/schema.ts";
import { createGcsTarget, gcsEndpoint } from "../storage/gcs.ts";
import { createS3Target } from "../storage/s3.ts";
import type { UploadFile, UploadTarget } from "../storage/upload-common.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface CloudUploads {
  /** Uploads the written report files; returns one line per failed object (empty: all went well). */
  upload(paths: readonly string[]): Promise<string[]>;
}

/** Null when the config names no cloud storage; throws UserError (exit 2) when it cannot work. */
export async function prepareUploads(config: Config, env: Env): Promise<CloudUploads | null> {
  const targets: UploadTarget[] = [];
  const s3 = config.storage.simple_storage_service;
  if (s3 !== null) targets.push(await checked("storage.simple_storage_service", s3Target(s3, env)));
  const gcs = config.storage.google_cloud_storage;
  if (gcs !== null) targets.push(await checked("storage.google_cloud_storage", gcsTarget(gcs, env)));
  if (targets.length === 0) return null;
  const localPrefix = config.storage.local_storage.report_file_prefix ?? "";
  return {
    async upload(paths) {
      const failed: string[] = [];
      for (const target of targets) failed.push(...(await uploadTo(target, paths, localPrefix)));
      return failed;
    },
  };
}

interface Prepared {
  target: UploadTarget;
  /** Where the credentials came from, for the message when the bucket check fails. */
  source: string;
}

/** The bucket answers with these credentials, or UserError naming the option. */
async function checked(option: string, prepared: Prepared): Promise<UploadTarget> {
  const problem = await prepared.target.checkBucket();
  if (problem !== null) {
    throw new UserError(`Cannot upload reports to ${option}: ${problem}`, {
      details: [`credentials from ${prepared.source}`],
    });
  }
  return prepared.target;
}

function s3Target(s3: NonNullable<Config["storage"]["simple_storage_service"]>, env: Env): Prepared {
  const credentials = findAwsCredentials(env);
  if (credentials === null) {
    throw new UserError("Cannot upload reports to storage.simple_storage_service: no AWS credentials found", {
      details: [
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)",
        "or a profile in ~/.aws/credentials (AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE)",
      ],
    });
  }
  rememberSecrets([credentials.secretAccessKey, credentials.sessionToken ?? ""].filter((s) => s !== ""));
  const settings = { ...s3, path: s3.path ?? "" }; // resolve.ts has filled the path
  const target = createS3Target(settings, credentials, findAwsRegion(s3.region_name, env), env);
  return { target, source: credentials.source };
}

// Writing objects needs devstorage.read_write (cloud-platform would do too, but asks for more).
const GCS_SCOPE = "https://www.googleapis.com/auth/devstorage.read_write";

function gcsTarget(gcs: NonNullable<Config["storage"]["google_cloud_storage"]>, env: Env): Prepared {
  const endpoint = gcsEndpoint(env);
  const settings = { ...gcs, path: gcs.path ?? "" }; // resolve.ts has filled the path
  if (endpoint.anonymous) {
    const target = createGcsTarget(settings, endpoint, async () => ({}));
    return { target, source: `none: STORAGE_EMULATOR_HOST names an emulator (${endpoint.url})` };
  }
  let credentials: ReturnType<typeof findGoogleCredentials>;
  try {
    credentials = findGoogleCredentials(env, { scope: GCS_SCOPE });
  } catch (error) {
    throw new UserError(
      `Cannot upload reports to storage.google_cloud_storage: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  rememberSecrets(credentials.secrets);
  const authorize = async () => {
    const headers = await credentials.headers();
    // The token is a secret too: a server that echoes it, or a failed fetch, must not print it.
    rememberSecrets([headers.Authorization?.replace(/^Bearer /, "") ?? ""]);
    return headers;
  };
  return { target: createGcsTarget(settings, endpoint, authorize), source: credentials.source };
}

async function uploadTo(
  target: UploadTarget,
  paths: readonly string[],
  localPrefix: string,
): Promise<string[]> {
  const files: UploadFile[] = paths.map((path) => {
    const file = basename(path);
    return {
      name: file.startsWith(localPrefix) ? file.slice(localPrefix.length) : file,
      contents: () => readFileSync(path, "utf8"),
    };
  });
  const result = await target.upload(files);
  for (const key of result.skipped) log.info(`Skipped upload: ${target.describe(key)} already exists`);
  if (result.uploaded.length > 0) {
    log.info(
      `Uploaded ${result.uploaded.length} report file(s) to ${target.describe(commonDir(result.uploaded))}`,
    );
  }
  return result.failed.map((f) => `${target.describe(f.key)}: ${f.message}`);
}

function commonDir(keys: readonly string[]): string {
  const first = keys[0] ?? "";
  const slash = first.lastIndexOf("/");
  return slash === -1 ? "" : first.slice(0, slash + 1);
}
