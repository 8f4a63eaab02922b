// Where requests go: the configured server, or the built-in simulator started in this process when
// the config has no `server` (the README quick start); and the model, once the server answers
// (server.model_name, else the first model /v1/models lists). The two are apart so the run can start
// its Workers and warm up while the server is being asked.
import { buildHeaders } from "../api/request.ts";
import { UserError } from "../cli/errors.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import { log } from "../cli/log.ts";
import { readClientCertificate } from "../config/client-cert.ts";
import type { Config } from "../config/schema.ts";
import { waitForServer } from "./wait-server.ts";

export interface Target {
  /** The config with `server` filled in (the simulator's when none was given). */
  config: Config;
  /** Stops the in-process simulator, if one was started. */
  stop(): Promise<void>;
}

export async function openTarget(config: Config): Promise<Target> {
  if (config.server !== null) return { config, stop: async () => {} };
  // Imported only here: the simulator (and the tokenizer it loads) costs start-up time a run against
  // a real server should not pay.
  const { startSimOnFreePort } = await import("../sim/start.ts");
  // Serve the adapters the config splits traffic across, so a LoRA config runs as it would on a
  // server that has them loaded.
  const loras = (config.load.lora_traffic_split ?? []).map((adapter) => adapter.name);
  const sim = await startSimOnFreePort(loras.length > 0 ? { loras } : {});
  log.info(`No server in the config: running against the built-in simulator at ${sim.url}`);
  return {
    config: {
      ...config,
      server: {
        type: "vllm",
        model_name: null,
        base_url: sim.url,
        ignore_eos: true,
        api_key: null,
        cert_path: null,
        key_path: null,
      },
    },
    stop: () => sim.stop(),
  };
}

/**
 * Settles the model: server.model_name when set, else the first model GET /v1/models lists. The
 * server is asked, and waited for until it answers (any status, bounded by `waitMs`, 60 s by default),
 * when the model is not named, or when `waitMs` is given (--wait-for-server: a server still
 * starting). A named model and no wait asked for: nothing to ask, so the first stage does not wait on
 * a round trip to the server (docs/PERFORMANCE.md "Start-up").
 */
export async function serverModel(
  config: Config,
  options: { signal?: AbortSignal | undefined; waitMs?: number | undefined },
): Promise<string> {
  const server = config.server;
  if (server === null) throw new RangeError("serverModel() needs a config with a server (openTarget)");
  // Read and checked here, before any load: an unreadable or non-PEM file stops the run (exit 2).
  const tls = readClientCertificate(server);
  if (tls !== null && !server.base_url.startsWith("https://")) {
    log.warn(`server.cert_path: not used, as ${server.base_url} is not https`);
  }
  if (server.model_name != null && options.waitMs === undefined) return server.model_name;
  const waitMs = options.waitMs ?? 60_000;
  log.info(`Waiting for ${server.base_url} to answer (up to ${Math.round(waitMs / 1000)} s)`);
  const answer = await waitForServer({
    baseUrl: server.base_url,
    headers: buildHeaders(config, false),
    timeoutMs: waitMs,
    signal: options.signal,
    ...(tls === null ? {} : { tls }),
  });
  const listed = answer.status >= 200 && answer.status < 300;
  // Some servers have no /v1/models; with server.model_name set the run does not need it.
  if (!listed && server.model_name != null) {
    log.warn(
      `GET /v1/models answered HTTP ${answer.status} (${answer.excerpt}); going on with server.model_name "${server.model_name}"`,
    );
  }
  const model = server.model_name ?? answer.models[0];
  if (model === undefined) {
    throw new UserError(
      listed
        ? `Cannot choose a model: server.model_name is not set and ${server.base_url}/v1/models listed none`
        : `Cannot choose a model: server.model_name is not set and GET ${server.base_url}/v1/models answered HTTP ${answer.status}: ${answer.excerpt}`,
      { exitCode: ExitCode.failed },
    );
  }
  const models = answer.models;
  if (server.model_name == null) {
    log.info(`Using model "${model}"${models.length > 1 ? ` (first of ${models.length} listed)` : ""}`);
  }
  return model;
}
