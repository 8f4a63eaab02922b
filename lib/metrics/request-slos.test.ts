import { expect, test } from "bun:test";
import { requestSlos } from "./request-slos.ts";

test.each([
  ["default headers in ms", {}, { "x-slo-ttft-ms": "200", "x-slo-tpot-ms": "25" }, 0.2, 0.025],
  ["a unit of seconds", { slo_unit: "s" }, { "x-slo-ttft-s": "1.5" }, 1.5, null],
  ["microseconds", { slo_unit: "us" }, { "X-SLO-TPOT-US": "800" }, null, 0.0008],
  [
    "named headers",
    { slo_ttft_header: "ttft", slo_tpot_header: "tpot" },
    { ttft: "100", tpot: "10" },
    0.1,
    0.01,
  ],
  ["an unknown unit counts as seconds", { slo_unit: "min" }, { "x-slo-ttft-min": "2" }, 2, null],
  ["the literal default is skipped", {}, { "x-slo-ttft-ms": "default" }, null, null],
])("requestSlos() reads %s", (_name, api, headers, ttft, tpot) => {
  const slos = requestSlos({ ...api, headers });
  if (ttft === null) expect(slos.ttftS).toBeNull();
  else expect(slos.ttftS).toBeCloseTo(ttft, 9);
  if (tpot === null) expect(slos.tpotS).toBeNull();
  else expect(slos.tpotS).toBeCloseTo(tpot, 9);
  expect(slos.problems).toEqual([]);
});

test("requestSlos() names a header value that is not a number and ignores it", () => {
  const slos = requestSlos({ headers: { "x-slo-ttft-ms": "fast" } });
  expect(slos.ttftS).toBeNull();
  expect(slos.problems).toEqual([
    'api.headers.x-slo-ttft-ms: expected a number of ms (the SLO header), got "fast"',
  ]);
});

test("requestSlos() finds nothing without api.headers", () => {
  expect(requestSlos({ slo_unit: "s" })).toEqual({ ttftS: null, tpotS: null, problems: [] });
});
