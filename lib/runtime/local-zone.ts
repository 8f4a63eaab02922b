// Whether this machine's local time is UTC, found without asking the runtime's time-zone code. The
// report folder's name is local time (as inference-perf's), and the first local-time call of a
// process initialises ICU's time-zone data: ~10 ms of the main thread before the first request in a
// compiled binary (docs/PERFORMANCE.md "Start-up"). Where the local zone is UTC (containers, CI
// runners, most servers), local time is UTC time and the name is formatted from the UTC fields.
// Anything not recognised for certain is "not UTC", which only means the runtime is asked as before.
import { readlinkSync } from "node:fs";

/** Zone names that are UTC (or GMT) at every instant, optionally under `Etc/`. */
const UTC_NAME = /^(?:Etc\/)?(?:UTC|UCT|Universal|Zulu|GMT|GMT0|Greenwich)$/;

/** A path into a zoneinfo folder that names such a zone (`/usr/share/zoneinfo/Etc/UTC`). */
const UTC_LINK = /\/zoneinfo\/(?:Etc\/)?(?:UTC|UCT|Universal|Zulu|GMT|GMT0|Greenwich)$/;

/**
 * Pure: whether a process with the TZ variable `tz` (undefined when unset) and an `/etc/localtime`
 * that links to `localtimeLink` (null when it is absent or not a link) keeps its local time in UTC.
 * TZ wins over the link, as in the C library and ICU; a TZ set to anything else is not judged.
 */
export function localZoneIsUtcGiven(tz: string | undefined, localtimeLink: string | null): boolean {
  if (tz !== undefined) return UTC_NAME.test(tz.startsWith(":") ? tz.slice(1) : tz);
  return localtimeLink !== null && UTC_LINK.test(localtimeLink);
}

function localtimeLink(): string | null {
  try {
    return readlinkSync("/etc/localtime");
  } catch {
    // Absent, not a link (a copied zone file), or no such file on this OS: not judged.
    return null;
  }
}

/** Whether local time is UTC here (one readlink when TZ is unset). */
export function localZoneIsUtc(env: Readonly<Record<string, string | undefined>>): boolean {
  return localZoneIsUtcGiven(env.TZ, env.TZ === undefined ? localtimeLink() : null);
}
