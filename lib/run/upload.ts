// Cloud copies of the reports (storage.simple_storage_service): found and checked before any load
// (credentials from the standard places, the bucket answers), uploaded after the local copy is
// written. An upload failure keeps the local copy; the caller says where and exits non-zero.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { UserError } from "../cli/errors.ts";
import { log } from "../cli/log.ts";
import { rememberSecrets } from "../cli/secrets.ts";
import type { Config } from "../config/schema.ts";
import { findAwsCredentials, findAwsRegion } from "../cloud-auth/aws.ts";
import { createS3Target, type S3Target } from "../storage/s3.ts";
import type { UploadFile } from "../storage/upload-common.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface CloudUploads {
  /** Uploads the written report files; returns one line per failed object (empty: all went well). */
  upload(paths: readonly string[]): Promise<string[]>;
}

/** Null when the config names no cloud storage; throws UserError (exit 2) when it cannot work. */
export async function prepareUploads(config: Config, env: Env): Promise<CloudUploads | null> {
  const s3 = config.storage.simple_storage_service;
  if (s3 === null) return null;
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
  const problem = await target.checkBucket();
  if (problem !== null) {
    throw new UserError(`Cannot upload reports to storage.simple_storage_service: ${problem}`, {
      details: [`credentials from ${credentials.source}`],
    });
  }
  const localPrefix = config.storage.local_storage.report_file_prefix ?? "";
  return {
    upload: (paths) => uploadTo(target, paths, localPrefix),
  };
}

async function uploadTo(target: S3Target, paths: readonly string[], localPrefix: string): Promise<string[]> {
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
