// Is server.base_url a URL the client can send to? Checked before any load, since a bad URL would
// otherwise surface only as every request failing. Pure.
import { maskSecrets } from "../cli/secrets.ts";

// Scheme, optional userinfo, host (bracketed IPv6 or anything up to a port, path, query or fragment),
// and the port digits as written: the URL parser refuses port 99999 without saying why.
const parts = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?/i;

/** Problems with a base URL, as "expected …, got …" texts (empty when it is fine). */
export function baseUrlProblems(url: string): string[] {
  const shown = JSON.stringify(maskSecrets(url));
  if (/[\s\0]/.test(url)) return [`expected a URL without spaces, tabs or line breaks, got ${shown}`];
  const match = parts.exec(url);
  if (match === null) {
    const hint = /^[\w.-]+(:\d+)?(\/.*)?$/.test(url) ? `; did you mean "http://${maskSecrets(url)}"?` : "";
    return [`expected a URL starting with http:// or https://, got ${shown}${hint}`];
  }
  const [, scheme = "", host = "", port] = match;
  if (!/^https?$/i.test(scheme)) {
    return [`expected a URL starting with http:// or https://, got ${shown} (scheme "${scheme}")`];
  }
  if (host === "" || host === "[]") return [`expected a host name after "${scheme}://", got ${shown}`];
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return [`expected a port from 1 to 65535, got ${shown} (port "${port}")`];
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [`expected a valid URL, got ${shown}`];
  }
  if (parsed.search !== "" || parsed.hash !== "") {
    return [`expected no query or fragment (request paths are appended to the URL), got ${shown}`];
  }
  // The client appends /v1/completions (as inference-perf does): ".../v1" would send to /v1/v1/...
  // and every request would fail with 404 or 405. Refused rather than fixed silently, so the same
  // config means the same URLs in inferload and in inference-perf.
  const path = parsed.pathname.replace(/\/+$/, "");
  if (/\/v1$/i.test(path)) {
    const fixed = maskSecrets(url.replace(/\/v1\/*$/i, ""));
    return [
      `expected the server's root URL without "/v1" (requests go to "<base_url>/v1/completions"), got ${shown}: use "${fixed}"`,
    ];
  }
  return [];
}
