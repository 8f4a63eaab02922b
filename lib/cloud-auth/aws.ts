// AWS credentials and region the way the AWS SDKs find them (boto3, which inference-perf uses):
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the profile AWS_PROFILE (or
// "default") of the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials).
// Region: the config's, else AWS_REGION, AWS_DEFAULT_REGION, the profile's in ~/.aws/config
// (AWS_CONFIG_FILE), else us-east-1. Reads files; never logs a secret.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Where they came from, for messages (never the values). */
  source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function findAwsCredentials(env: Env): AwsCredentials | null {
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (id && secret) {
    return {
      accessKeyId: id,
      secretAccessKey: secret,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      source: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    };
  }
  const file = env.AWS_SHARED_CREDENTIALS_FILE || join(env.HOME || homedir(), ".aws", "credentials");
  const profile = env.AWS_PROFILE || "default";
  const section = readIni(file)?.[profile];
  if (section?.aws_access_key_id && section.aws_secret_access_key) {
    return {
      accessKeyId: section.aws_access_key_id,
      secretAccessKey: section.aws_secret_access_key,
      ...(section.aws_session_token ? { sessionToken: section.aws_session_token } : {}),
      source: `profile "${profile}" of ${file}`,
    };
  }
  return null;
}

export function findAwsRegion(configured: string | null | undefined, env: Env): string {
  if (configured) return configured;
  if (env.AWS_REGION) return env.AWS_REGION;
  if (env.AWS_DEFAULT_REGION) return env.AWS_DEFAULT_REGION;
  const file = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), ".aws", "config");
  const profile = env.AWS_PROFILE || "default";
  const config = readIni(file);
  const section = config?.[profile === "default" ? "default" : `profile ${profile}`];
  return section?.region || "us-east-1";
}

/** An INI file as sections of key = value; null when it cannot be read. */
export function readIni(path: string): Record<string, Record<string, string>> | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      current = sections[(header[1] as string).trim()] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (current !== null && eq > 0) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return sections;
}
