// One scrape of one target reduced to what the catalog needs (the matching series of each field),
// and the difference between two scrapes of the same target: counters and histogram buckets
// differenced per series, a series whose count went down read as restarted from zero (the engine
// restarted), gauges as their current values. Pure.
import type { MetricSpec } from "./catalog.ts";
import { type LabelMatcher, matchesAll } from "./matchers.ts";
import type { Exposition, Sample } from "./prom-text.ts";
import { counterLegs } from "./promql.ts";

interface HistogramSeries {
  /** Cumulative count per upper bound. */
  readonly buckets: Map<number, number>;
  sum: number;
  count: number;
}

/** Per catalog field, its matching series by label set (for a histogram: without `le`). */
export interface TargetSnapshot {
  readonly counters: Map<string, Map<string, number>>;
  readonly gauges: Map<string, Map<string, number>>;
  readonly histograms: Map<string, Map<string, HistogramSeries>>;
}

export interface HistogramDelta {
  /** Observations added per upper bound (cumulative), summed over series as `sum by (le)`. */
  readonly buckets: Map<number, number>;
  sum: number;
  count: number;
}

/** What one target added between two of its scrapes. */
export interface Frame {
  readonly counters: Map<string, number>;
  readonly histograms: Map<string, HistogramDelta>;
  /** Current values of each gauge's matching series. */
  readonly gauges: Map<string, number[]>;
  /** Fields with at least one matching series in the newer scrape. */
  readonly seen: Set<string>;
}

function seriesKey(labels: Readonly<Record<string, string>>, skip?: string): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = "";
  for (const name of names) if (name !== skip) key += `${name}\u0001${labels[name]}\u0002`;
  return key;
}

const wantedCache = new WeakMap<readonly MetricSpec[], Set<string>>();

/** Every sample name the catalog can read, so other families are skipped before label matching. */
export function wantedNames(specs: readonly MetricSpec[]): Set<string> {
  let names = wantedCache.get(specs);
  if (names !== undefined) return names;
  names = new Set<string>();
  for (const spec of specs) {
    const bases = spec.kind === "counter" ? counterLegs(spec.name) : [spec.name];
    for (const base of bases.flatMap(spellings)) {
      if (spec.kind === "histogram")
        for (const suffix of ["_bucket", "_sum", "_count"]) names.add(base + suffix);
      else names.add(base);
    }
  }
  wantedCache.set(specs, names);
  return names;
}

/** Name candidates: as written, then with `:` as `_` (exporters that re-export vLLM's names). */
function spellings(name: string): string[] {
  const underscored = name.replace(/:/g, "_");
  return underscored === name ? [name] : [name, underscored];
}

export function takeSnapshot(
  exposition: Exposition,
  specs: readonly MetricSpec[],
  matchers: readonly LabelMatcher[],
): TargetSnapshot {
  const byName = new Map<string, Sample[]>();
  const wanted = wantedNames(specs);
  for (const s of exposition.samples) {
    if (!wanted.has(s.name) || !matchesAll(s.labels, matchers)) continue;
    let list = byName.get(s.name);
    if (list === undefined) byName.set(s.name, (list = []));
    list.push(s);
  }
  // The first name form that has series wins, as `a or b` keeps a's series.
  const first = (names: string[]) => {
    for (const n of names) {
      const found = byName.get(n);
      if (found !== undefined && found.length > 0) return { name: n, samples: found };
    }
    return null;
  };
  const snap: TargetSnapshot = { counters: new Map(), gauges: new Map(), histograms: new Map() };
  for (const spec of specs) {
    if (spec.kind === "counter" || spec.kind === "gauge") {
      const names =
        spec.kind === "counter" ? counterLegs(spec.name).flatMap(spellings) : spellings(spec.name);
      const hit = first(names);
      if (hit === null) continue;
      const series = new Map<string, number>();
      for (const s of hit.samples) series.set(seriesKey(s.labels), s.value);
      (spec.kind === "counter" ? snap.counters : snap.gauges).set(spec.field, series);
      continue;
    }
    const base = spellings(spec.name).find((n) => byName.has(`${n}_bucket`));
    if (base === undefined) continue;
    const series = new Map<string, HistogramSeries>();
    const of = (labels: Readonly<Record<string, string>>) => {
      const key = seriesKey(labels, "le");
      let entry = series.get(key);
      if (entry === undefined) series.set(key, (entry = { buckets: new Map(), sum: 0, count: 0 }));
      return entry;
    };
    for (const s of byName.get(`${base}_bucket`) ?? []) {
      const le = Number(s.labels.le === "+Inf" ? Number.POSITIVE_INFINITY : s.labels.le);
      if (!Number.isNaN(le)) of(s.labels).buckets.set(le, s.value);
    }
    for (const s of byName.get(`${base}_sum`) ?? []) of(s.labels).sum = s.value;
    for (const s of byName.get(`${base}_count`) ?? []) of(s.labels).count = s.value;
    snap.histograms.set(spec.field, series);
  }
  return snap;
}

/** The increase of one series between scrapes: a drop means a restart, counted from zero. */
function increase(previous: number | undefined, current: number): number {
  const p = previous ?? 0;
  return current >= p ? current - p : current;
}

/** What `current` adds over `previous` (the same target's last successful scrape). */
export function frameBetween(previous: TargetSnapshot, current: TargetSnapshot): Frame {
  const frame: Frame = { counters: new Map(), histograms: new Map(), gauges: new Map(), seen: new Set() };
  for (const [field, series] of current.counters) {
    frame.seen.add(field);
    const before = previous.counters.get(field);
    let total = 0;
    for (const [key, value] of series) total += increase(before?.get(key), value);
    frame.counters.set(field, total);
  }
  for (const [field, series] of current.gauges) {
    frame.seen.add(field);
    frame.gauges.set(field, [...series.values()]);
  }
  for (const [field, series] of current.histograms) {
    frame.seen.add(field);
    const before = previous.histograms.get(field);
    const delta: HistogramDelta = { buckets: new Map(), sum: 0, count: 0 };
    for (const [key, now] of series) {
      const then = before?.get(key);
      const reset = then !== undefined && now.count < then.count;
      const base = then === undefined || reset ? null : then;
      delta.count += now.count - (base?.count ?? 0);
      delta.sum += now.sum - (base?.sum ?? 0);
      for (const [le, count] of now.buckets) {
        const added = count - (base?.buckets.get(le) ?? 0);
        delta.buckets.set(le, (delta.buckets.get(le) ?? 0) + added);
      }
    }
    frame.histograms.set(field, delta);
  }
  return frame;
}
