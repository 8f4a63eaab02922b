// A Weka KV-cache-tester trace (upstream's WekaTrace model) → checked plain values. The format:
//   { "id", "models": [..], "block_size", "tool_tokens"?, "system_tokens"?, "requests": [
//       { "t", "type": "n" | "s", "model", "in", "out", "hash_ids"?: [int], "api_time"?, "think_time"?, "ttft"? },
//       { "t", "type": "subagent", "agent_id", "subagent_type", "duration_ms"?, "tool_tokens"?, "system_tokens"?,
//         "requests": [ { "t", "type": "n", "model", "in", "out", "hash_ids"?, "api_time"?, "think_time"? }, … ] } ] }
// Times are seconds; `hash_ids` name the trace's fixed-size token blocks (equal ids = equal blocks).
// Pure: problems come back as messages.

export interface WekaRequest {
  t: number;
  model: string;
  in: number;
  out: number;
  hashIds: number[];
  apiTime: number;
  /** The recorded think time before this request, seconds; null when the trace has none. */
  thinkTime: number | null;
}

export interface WekaSubagent {
  t: number;
  agentId: string;
  durationMs: number;
  toolTokens: number;
  systemTokens: number;
  requests: WekaRequest[];
}

export interface WekaTrace {
  id: string;
  models: string[];
  blockSize: number;
  toolTokens: number;
  systemTokens: number;
  /** The main conversation's requests and the subagents, each with its position in `requests`. */
  normals: { at: number; request: WekaRequest }[];
  subagents: { at: number; entry: WekaSubagent }[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function request(raw: unknown, path: string): WekaRequest | string {
  if (!isObject(raw)) return `${path}: expected an object`;
  if (!num(raw.t)) return `${path}.t: expected a number of seconds`;
  if (typeof raw.model !== "string") return `${path}.model: expected a string`;
  for (const key of ["in", "out"]) {
    const v = raw[key];
    if (!num(v) || !Number.isInteger(v) || v < 0) return `${path}.${key}: expected an integer >= 0`;
  }
  const hashIds = raw.hash_ids ?? [];
  if (!Array.isArray(hashIds) || !hashIds.every((h) => Number.isInteger(h)))
    return `${path}.hash_ids: expected a list of integers`;
  return {
    t: raw.t,
    model: raw.model,
    in: raw.in as number,
    out: raw.out as number,
    hashIds: hashIds as number[],
    apiTime: num(raw.api_time) ? raw.api_time : 0,
    thinkTime: num(raw.think_time) && raw.think_time >= 0 ? raw.think_time : null,
  };
}

export function parseWekaTrace(raw: unknown): WekaTrace | string {
  if (!isObject(raw)) return "expected a JSON object";
  if (typeof raw.id !== "string" || raw.id === "") return "id: expected a string";
  const blockSize = raw.block_size;
  if (!num(blockSize) || !Number.isInteger(blockSize) || blockSize < 1)
    return "block_size: expected an integer >= 1";
  if (!Array.isArray(raw.requests)) return "requests: expected a list";
  const trace: WekaTrace = {
    id: raw.id,
    models: Array.isArray(raw.models) ? raw.models.filter((m): m is string => typeof m === "string") : [],
    blockSize,
    toolTokens: num(raw.tool_tokens) ? raw.tool_tokens : 0,
    systemTokens: num(raw.system_tokens) ? raw.system_tokens : 0,
    normals: [],
    subagents: [],
  };
  for (const [i, entry] of raw.requests.entries()) {
    const path = `requests[${i}]`;
    if (!isObject(entry)) return `${path}: expected an object`;
    if (entry.type === "n" || entry.type === "s") {
      const r = request(entry, path);
      if (typeof r === "string") return r;
      trace.normals.push({ at: i, request: r });
    } else if (entry.type === "subagent") {
      if (!num(entry.t)) return `${path}.t: expected a number of seconds`;
      if (typeof entry.agent_id !== "string") return `${path}.agent_id: expected a string`;
      const list = entry.requests ?? [];
      if (!Array.isArray(list)) return `${path}.requests: expected a list`;
      const requests: WekaRequest[] = [];
      for (const [k, sub] of list.entries()) {
        const r = request(sub, `${path}.requests[${k}]`);
        if (typeof r === "string") return r;
        requests.push(r);
      }
      trace.subagents.push({
        at: i,
        entry: {
          t: entry.t,
          agentId: entry.agent_id,
          durationMs: num(entry.duration_ms) ? entry.duration_ms : 0,
          toolTokens: num(entry.tool_tokens) ? entry.tool_tokens : 0,
          systemTokens: num(entry.system_tokens) ? entry.system_tokens : 0,
          requests,
        },
      });
    } else {
      return `${path}.type: expected "n", "s" or "subagent", got ${JSON.stringify(entry.type)}`;
    }
  }
  return trace;
}
