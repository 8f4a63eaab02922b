// inference-perf's distribution types, apart from the schema that checks them: the data generators
// on the Workers need only this list, and evaluating the valibot schemas costs each Worker ~2.5 ms
// at its start (docs/PERFORMANCE.md "Start-up"). Pure.
export const distributionTypes = [
  "normal",
  "skew_normal",
  "lognormal",
  "uniform",
  "poisson",
  "fixed",
] as const;
