// Per-request SLOs carried in request headers, as inference-perf reads them: `api.slo_ttft_header`
// and `api.slo_tpot_header` (default `x-slo-ttft-<unit>` / `x-slo-tpot-<unit>`) name headers of
// `api.headers` whose values, in `api.slo_unit` (default "ms"), are the request's TTFT and TPOT
// targets. The headers are sent as they are; the targets go into each streamed request's per-request
// entry as `ttft_slo_sec` / `tpot_slo_sec`. Pure.

export interface SloConfig {
  headers?: Readonly<Record<string, string>> | null | undefined;
  slo_unit?: string | null | undefined;
  slo_ttft_header?: string | null | undefined;
  slo_tpot_header?: string | null | undefined;
}

export interface RequestSlos {
  /** TTFT target in seconds, null when no header carries one. */
  ttftS: number | null;
  tpotS: number | null;
  /** Header values that are not numbers (inference-perf logs a warning and ignores them). */
  problems: string[];
}

/** Seconds per unit; inference-perf treats an unknown unit as seconds (factor 1.0). */
const unitSeconds: Readonly<Record<string, number>> = { s: 1, ms: 0.001, us: 0.000001 };

export function requestSlos(api: SloConfig): RequestSlos {
  const unit = api.slo_unit || "ms";
  const factor = unitSeconds[unit.toLowerCase()] ?? 1;
  const problems: string[] = [];
  const read = (name: string): number | null => {
    const wanted = name.toLowerCase();
    const entry = Object.entries(api.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
    if (entry === undefined) return null;
    const text = entry[1].trim();
    // "default" is a placeholder some gateways accept; inference-perf skips it.
    if (text === "default") return null;
    const value = Number(text);
    if (text === "" || !Number.isFinite(value)) {
      problems.push(
        `api.headers.${entry[0]}: expected a number of ${unit} (the SLO header), got "${entry[1]}"`,
      );
      return null;
    }
    return value * factor;
  };
  return {
    ttftS: read(api.slo_ttft_header || `x-slo-ttft-${unit}`),
    tpotS: read(api.slo_tpot_header || `x-slo-tpot-${unit}`),
    problems,
  };
}
