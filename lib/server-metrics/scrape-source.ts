// Server metrics without a Prometheus server: inferload scrapes the engine's /metrics itself, every
// `interval` and at each stage boundary (awaited, so a stage's first and last requests fall inside
// its window exactly), on the main thread, never in a request Worker. Each target's scrape is
// differenced against that target's previous good scrape (snapshot.ts) and the frame is added to
// every open window (window.ts). A failed scrape is counted and the next good one catches up.
import type { MetricSpec } from "./catalog.ts";
import type { LabelMatcher } from "./matchers.ts";
import { messageOf } from "./prom-api.ts";
import { parseExposition } from "./prom-text.ts";
import { frameBetween, type TargetSnapshot, takeSnapshot, wantedNames } from "./snapshot.ts";
import type { FinishOptions, ServerMetricsOutcome, ServerMetricsSource, StageValues } from "./source.ts";
import { Window } from "./window.ts";

export interface ScrapeSourceOptions {
  /** /metrics URLs; the first is the engine the run loads. */
  urls: readonly string[];
  intervalS: number;
  specs: readonly MetricSpec[];
  matchers: readonly LabelMatcher[];
  now?: () => number;
  timeoutMs?: number;
}

interface Target {
  readonly url: string;
  last: TargetSnapshot | null;
  /** The scrape in progress, so a boundary scrape waits for it instead of racing it. */
  busy: Promise<void> | null;
  failures: number;
  firstFailure: string | null;
  scrapes: number;
}

export function createScrapeSource(options: ScrapeSourceOptions): ServerMetricsSource {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? Math.max(2000, options.intervalS * 1000);
  const targets: Target[] = options.urls.map((url) => ({
    url,
    last: null,
    busy: null,
    failures: 0,
    firstFailure: null,
    scrapes: 0,
  }));
  const wanted = wantedNames(options.specs);
  const open = new Set<Window>();
  let run: Window | null = null;
  const stageWindows = new Map<number, Window>();
  const results: StageValues[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  let badLines = 0;

  async function scrapeOnce(target: Target): Promise<void> {
    target.scrapes++;
    try {
      const response = await fetch(target.url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const exposition = parseExposition(await response.text(), (name) => wanted.has(name));
      badLines += exposition.badLines;
      if (exposition.samples.length + exposition.skipped === 0) throw new Error("no samples in the answer");
      const atMs = now();
      const snapshot = takeSnapshot(exposition, options.specs, options.matchers);
      if (target.last !== null) {
        const frame = frameBetween(target.last, snapshot);
        for (const window of open) window.add(frame, atMs);
      }
      target.last = snapshot;
    } catch (error) {
      target.failures++;
      target.firstFailure ??= messageOf(error);
    }
  }

  /** One scrape of every target; a target already being scraped is waited for, then scraped again. */
  async function scrapeAll(): Promise<void> {
    await Promise.all(
      targets.map(async (target) => {
        while (target.busy !== null) await target.busy;
        target.busy = scrapeOnce(target).finally(() => {
          target.busy = null;
        });
        await target.busy;
      }),
    );
  }

  function tick(): void {
    for (const target of targets) {
      if (target.busy !== null) continue; // a slow target is not queued up behind itself
      target.busy = scrapeOnce(target).finally(() => {
        target.busy = null;
      });
    }
  }

  return {
    description: `scraping ${options.urls.join(", ")} every ${options.intervalS} s`,
    async check() {
      await scrapeAll();
      const down = targets.filter((t) => t.last === null);
      if (down.length === 0) {
        timer = setInterval(tick, options.intervalS * 1000);
        return null;
      }
      return down.map((t) => `${t.url}: ${t.firstFailure ?? "no answer"}`).join("; ");
    },
    async stageStarting(stageId) {
      if (stageId < 0) return; // the sweep's probe is in no report
      await scrapeAll();
      const at = now();
      if (run === null) {
        run = new Window(at);
        open.add(run);
      }
      const window = new Window(at);
      stageWindows.set(stageId, window);
      open.add(window);
    },
    async stageEnded(info) {
      if (info.id < 0) return;
      await scrapeAll();
      const window = stageWindows.get(info.id);
      if (window === undefined) return;
      open.delete(window);
      stageWindows.delete(info.id);
      results.push({ id: info.id, values: window.results(options.specs) });
    },
    async finish(opts: FinishOptions): Promise<ServerMetricsOutcome> {
      if (run !== null) await scrapeAll();
      stop();
      const warnings: string[] = [];
      for (const t of targets) {
        if (t.failures > 0)
          warnings.push(
            `${t.failures} of ${t.scrapes} scrapes of ${t.url} failed (first: ${t.firstFailure})`,
          );
      }
      if (badLines > 0) warnings.push(`${badLines} malformed lines in /metrics answers were skipped`);
      return {
        summary: opts.summary && run !== null ? run.results(options.specs) : null,
        stages: opts.perStage ? results : [],
        specs: options.specs,
        warnings,
      };
    },
    close: stop,
  };

  function stop(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
    open.clear();
  }
}
