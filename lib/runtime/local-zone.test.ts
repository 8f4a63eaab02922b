import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { localZoneIsUtcGiven } from "./local-zone.ts";

test.each([
  // TZ set: judged by its name alone, whatever /etc/localtime says
  ["UTC", "/usr/share/zoneinfo/Europe/Paris", true],
  [":UTC", null, true],
  ["Etc/UTC", null, true],
  ["Etc/GMT", null, true],
  ["Zulu", null, true],
  ["Europe/London", "/usr/share/zoneinfo/Etc/UTC", false], // GMT only in winter
  ["Etc/GMT+1", null, false],
  ["UTC+3", null, false], // a POSIX rule, not a name
  ["", "/usr/share/zoneinfo/Etc/UTC", false], // empty: left to the runtime
  // TZ unset: the link decides
  [undefined, "/usr/share/zoneinfo/Etc/UTC", true],
  [undefined, "../usr/share/zoneinfo/UTC", true],
  [undefined, "/var/db/timezone/zoneinfo/UTC", true], // macOS
  [undefined, "/usr/share/zoneinfo/America/New_York", false],
  [undefined, "/usr/share/zoneinfo/Etc/UTC-3", false],
  [undefined, "/etc/UTC", false], // not a zoneinfo path
  [undefined, null, false], // no link (absent, or a copied file): left to the runtime
] as const)("TZ=%p with /etc/localtime → %p: local time is UTC is %p", (tz, link, utc) => {
  expect(localZoneIsUtcGiven(tz, link)).toBe(utc);
});

/**
 * In a child process with `tz` as TZ (undefined: unset, so this machine's /etc/localtime decides),
 * whether the zone was judged UTC and whether the UTC-field report name equals the runtime's
 * local-time name at instants across a year (summer and winter).
 */
function judgedIn(tz: string | undefined): { utc: boolean; sameName: boolean } {
  const env: Record<string, string | undefined> = { ...process.env, TZ: tz };
  if (tz === undefined) delete env.TZ;
  const script = `
    import { localZoneIsUtc } from ${JSON.stringify(new URL("./local-zone.ts", import.meta.url).pathname)};
    import { formatTimestamp } from ${JSON.stringify(new URL("../config/resolve.ts", import.meta.url).pathname)};
    const instants = [Date.UTC(2026, 0, 15, 23, 30), Date.UTC(2026, 6, 15, 23, 30), Date.now()];
    const sameName = instants.every((t) => formatTimestamp(new Date(t), true) === formatTimestamp(new Date(t)));
    console.log(JSON.stringify({ utc: localZoneIsUtc(process.env), sameName }));`;
  const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env, timeout: 20_000 });
  expect(child.stderr).toBe("");
  return JSON.parse(child.stdout);
}

test.each([undefined, "UTC", "Etc/UTC", ":UTC", "Zulu"])(
  "where the zone is judged UTC (TZ=%p), the report folder is named as the runtime's local time names it",
  (tz) => {
    const { utc, sameName } = judgedIn(tz);
    if (tz !== undefined) expect(utc).toBe(true);
    if (utc) expect(sameName).toBe(true);
  },
);

test("a zone away from UTC is not judged UTC, and there the UTC fields would name the folder wrongly", () => {
  expect(judgedIn("Asia/Kolkata")).toEqual({ utc: false, sameName: false });
  expect(judgedIn("America/New_York")).toEqual({ utc: false, sameName: false });
});
