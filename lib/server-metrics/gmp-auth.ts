// Google Cloud Managed Service for Prometheus: the project's query endpoint and the Application
// Default Credentials that query it (lib/cloud-auth/google.ts). The project comes from
// GOOGLE_CLOUD_PROJECT (or GCLOUD_PROJECT), else the key file, else the metadata server.
import {
  CLOUD_PLATFORM_SCOPE,
  type Env,
  findGoogleCredentials,
  metadataGet,
  noCredentials,
} from "../cloud-auth/google.ts";

export type { Env } from "../cloud-auth/google.ts";

export interface GoogleAuth {
  readonly project: string;
  /** Where queries go: the project's global Prometheus API (or INFERLOAD_GMP_URL). */
  readonly baseUrl: string;
  /** `{Authorization: "Bearer …"}`, refreshed when the token nears expiry. */
  headers(): Promise<Record<string, string>>;
  /** Where the credentials came from, for the log. */
  readonly source: string;
}

export async function googleAuth(env: Env, timeoutMs = 10_000): Promise<GoogleAuth> {
  const credentials = findGoogleCredentials(env, { scope: CLOUD_PLATFORM_SCOPE, timeoutMs });
  let project = env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || credentials.keyProject;
  if (!project && credentials.fromMetadata) {
    try {
      project = (await metadataGet(env, "project/project-id", timeoutMs)).trim();
    } catch (error) {
      throw new Error(`${noCredentials} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (!project) {
    throw new Error(
      `Cannot tell the Google Cloud project from ${credentials.source}: set GOOGLE_CLOUD_PROJECT`,
    );
  }
  const baseUrl =
    env.INFERLOAD_GMP_URL ||
    `https://monitoring.googleapis.com/v1/projects/${encodeURIComponent(project)}/location/global/prometheus`;
  return { project, baseUrl, source: credentials.source, headers: () => credentials.headers() };
}
