// The server-metrics source a config asks for: `metrics.type: prometheus` (a Prometheus server, or
// Google Managed Prometheus with `google_managed: true`), `scrape` (our own scrapes of the engine's
// /metrics), or none. Settles the catalog (server.type) and the label filters (the model requests
// carry, plus the user's). Throws UserError for what the user can fix (a filter that is not a matcher).
import { UserError } from "../cli/errors.ts";
import type { Config } from "../config/schema.ts";
import { catalogFor, metricFilters } from "./catalog.ts";
import { type Env, googleAuth } from "./gmp-auth.ts";
import { type LabelMatcher, parseMatcher } from "./matchers.ts";
import { createPromClient } from "./prom-api.ts";
import { createPrometheusSource } from "./prometheus-source.ts";
import { createScrapeSource } from "./scrape-source.ts";
import type { ServerMetricsSource } from "./source.ts";

export interface SourceFacts {
  /** The model name requests carry (server.model_name, or what /v1/models listed first). */
  model: string;
  /** Where Google credentials are looked up. */
  env: Env;
}

export async function createServerMetricsSource(
  config: Pick<Config, "metrics" | "server">,
  facts: SourceFacts,
): Promise<ServerMetricsSource | null> {
  const metrics = config.metrics;
  if (metrics === null || metrics.type === "default") return null;
  const server = config.server;
  if (server === null) throw new TypeError("Server metrics need a resolved server section");
  const { type, specs } = catalogFor(server.type);
  if (metrics.type === "prometheus") {
    const p = metrics.prometheus;
    if (p === null)
      throw new UserError("metrics.prometheus: expected a section with url or google_managed: true");
    const filters = metricFilters(type, facts.model, p.filters);
    if (p.google_managed) {
      let auth: Awaited<ReturnType<typeof googleAuth>>;
      try {
        auth = await googleAuth(facts.env);
      } catch (error) {
        return unavailableSource(
          "Google Managed Prometheus",
          error instanceof Error ? error.message : String(error),
        );
      }
      const client = createPromClient({ baseUrl: auth.baseUrl, headers: () => auth.headers() });
      return createPrometheusSource({
        client,
        specs,
        filters,
        scrapeIntervalS: p.scrape_interval,
        description: `Google Managed Prometheus for project "${auth.project}" (credentials from ${auth.source})`,
      });
    }
    const url = p.url as string;
    return createPrometheusSource({
      client: createPromClient({ baseUrl: url }),
      specs,
      filters,
      scrapeIntervalS: p.scrape_interval,
      description: `Prometheus at ${url}`,
    });
  }
  const scrape = metrics.scrape ?? { url: null, interval: 1, targets: [], filters: [] };
  const matchers: LabelMatcher[] = [];
  const problems: string[] = [];
  for (const [i, text] of metricFilters(type, facts.model, scrape.filters).entries()) {
    const parsed = parseMatcher(text);
    if (typeof parsed === "string")
      problems.push(`metrics.scrape.filters[${i - (type === "tgi" ? 0 : 1)}]: ${parsed}`);
    else matchers.push(parsed);
  }
  if (problems.length > 0)
    throw new UserError("Cannot scrape server metrics: bad filters", { details: problems });
  const main = scrape.url ?? `${server.base_url.replace(/\/+$/, "")}/metrics`;
  return createScrapeSource({ urls: [main, ...scrape.targets], intervalS: scrape.interval, specs, matchers });
}

/** A source that fails its check with `why` (credentials not found): the run decides what that means. */
function unavailableSource(what: string, why: string): ServerMetricsSource {
  return {
    description: what,
    check: async () => why,
    stageStarting: async () => {},
    stageEnded: async () => {},
    finish: async () => ({ summary: null, stages: [], specs: [], warnings: [] }),
    close: () => {},
  };
}
