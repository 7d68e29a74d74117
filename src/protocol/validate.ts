/**
 * Validation of every message that crosses the wire. Returns a discriminated result; never throws
 * on bad input, so a peer's bug closes one socket and never crashes a process.
 */
import {
  PROTOCOL_VERSION,
  type AgentMessage,
  type EngineReport,
  type GpuHealthSummary,
  type LeaderMessage,
} from './messages.js';
import { checkCancel, checkCommand, checkProgress, checkResult } from './validate-command.js';
import { checkKv, checkKvLookup, checkKvLookupResult } from './validate-kv.js';
import { checkPace } from './pace-messages.js';

export type Decoded<T> =
  { readonly ok: true; readonly message: T } | { readonly ok: false; readonly reason: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown, max = 1024): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrList = (v: unknown, max: number): v is string[] =>
  Array.isArray(v) && v.length <= max && v.every((s) => isStr(s));

/** Bounds on what one message may carry. */
export const MESSAGE_LIMITS = {
  enginesPerNode: 256,
  gpusPerNode: 64,
  adaptersPerEngine: 1024,
} as const;

function checkEngine(e: unknown): string | undefined {
  if (!isObj(e)) return 'engine is not an object';
  if (!isStr(e.id) || !isStr(e.model) || !isStr(e.url)) return 'engine needs id, model and url';
  if (typeof e.ready !== 'boolean') return `engine ${e.id}: ready must be a boolean`;
  if (e.draining !== undefined && e.draining !== true)
    return `engine ${e.id}: draining must be true when present`;
  if (!isStrList(e.adapters, MESSAGE_LIMITS.adaptersPerEngine))
    return `engine ${e.id}: adapters must be a list of names`;
  if (e.servedModels !== undefined && !isStrList(e.servedModels, MESSAGE_LIMITS.adaptersPerEngine))
    return `engine ${e.id}: servedModels must be a list of names`;
  if (e.metrics !== undefined) {
    const m = e.metrics;
    if (!isObj(m) || !isObj(m.scrape) || !isObj(m.window) || typeof m.scrapedAtMs !== 'number') {
      return `engine ${e.id}: metrics malformed`;
    }
    // A gauge the engine does not expose is absent (unknown), never a made-up 0.
    for (const key of ['numRequestsRunning', 'numRequestsWaiting', 'kvCacheUsageRatio'] as const) {
      if (m.scrape[key] !== undefined && typeof m.scrape[key] !== 'number')
        return `engine ${e.id}: metrics.scrape.${key} must be a number when present`;
    }
    const counters = m.scrape.hasRequestCounters;
    if (counters !== undefined && typeof counters !== 'boolean')
      return `engine ${e.id}: metrics.scrape.hasRequestCounters must be a boolean`;
  }
  return undefined;
}

function checkGpu(g: unknown): string | undefined {
  if (!isObj(g)) return 'gpu is not an object';
  if (!Number.isInteger(g.index) || typeof g.uuid !== 'string') return 'gpu needs index and uuid';
  if (g.health !== 'healthy' && g.health !== 'degraded' && g.health !== 'failed')
    return `gpu ${String(g.index)}: bad health`;
  if (!isStrList(g.reasons, 64) && !(Array.isArray(g.reasons) && g.reasons.length === 0))
    return 'gpu reasons malformed';
  if (g.facts !== undefined) return checkGpuFacts(g.facts, g.index);
  return undefined;
}

const GPU_FACT_FIELDS = [
  'temperatureC',
  'memoryUsedBytes',
  'memoryTotalBytes',
  'powerW',
  'utilizationPct',
] as const;

function checkGpuFacts(f: unknown, index: unknown): string | undefined {
  if (!isObj(f)) return `gpu ${String(index)}: facts is not an object`;
  for (const field of GPU_FACT_FIELDS) {
    const v = f[field];
    if (v !== null && !(typeof v === 'number' && Number.isFinite(v) && v >= 0))
      return `gpu ${String(index)}: facts.${field} must be a non-negative number or null`;
  }
  return undefined;
}

function checkList(
  list: unknown,
  max: number,
  what: string,
  check: (x: unknown) => string | undefined,
): string | undefined {
  if (!Array.isArray(list)) return `${what} must be a list`;
  if (list.length > max) return `${what}: more than ${max}`;
  for (const item of list) {
    const problem = check(item);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Parses one frame's JSON object and checks its protocol version (every channel's envelope). */
export function decodeEnvelope(raw: string | Buffer): Decoded<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObj(value)) return { ok: false, reason: 'not a JSON object' };
  if (value.v !== PROTOCOL_VERSION)
    return {
      ok: false,
      reason: `protocol version ${JSON.stringify(value.v)} unsupported; want ${PROTOCOL_VERSION}`,
    };
  return { ok: true, message: value };
}

/** Decodes and validates a message from an agent. */
export function decodeAgentMessage(raw: string | Buffer): Decoded<AgentMessage> {
  const h = decodeEnvelope(raw);
  if (!h.ok) return h;
  const problem = checkAgentMessage(h.message);
  return problem === undefined
    ? { ok: true, message: h.message as unknown as AgentMessage }
    : { ok: false, reason: problem };
}

/**
 * Why an already-parsed object is not a valid agent message (undefined when it is); the replica
 * feed checks the agent messages it relays with it.
 */
export function checkAgentMessage(m: Obj): string | undefined {
  let problem: string | undefined;
  if (m.type === 'hello') {
    if (!isStr(m.node, 253) || !isStr(m.agentVersion, 64) || !isSeq(m.seq) || !isObj(m.snapshot))
      problem = 'hello needs node, agentVersion, seq and snapshot';
    else if (m.features !== undefined && !isStrList(m.features, 16))
      problem = 'hello features must be a short list of names';
    else
      problem =
        checkList(m.snapshot.engines, MESSAGE_LIMITS.enginesPerNode, 'engines', checkEngine) ??
        checkList(m.snapshot.gpus, MESSAGE_LIMITS.gpusPerNode, 'gpus', checkGpu);
  } else if (m.type === 'state') {
    if (!isSeq(m.seq)) problem = 'state needs seq';
    else if (m.engines !== undefined)
      problem = checkList(m.engines, MESSAGE_LIMITS.enginesPerNode, 'engines', checkEngine);
    if (
      problem === undefined &&
      m.removedEngines !== undefined &&
      !isStrList(m.removedEngines, MESSAGE_LIMITS.enginesPerNode)
    )
      problem = 'removedEngines must be ids';
    if (problem === undefined && m.gpus !== undefined)
      problem = checkList(m.gpus, MESSAGE_LIMITS.gpusPerNode, 'gpus', checkGpu);
  } else if (m.type === 'progress') problem = checkProgress(m);
  else if (m.type === 'result') problem = checkResult(m);
  else if (m.type === 'kv') problem = checkKv(m);
  else if (m.type === 'kv.lookup') problem = checkKvLookup(m);
  else problem = `unknown message type ${JSON.stringify(m.type)}`;
  return problem;
}

/** Decodes and validates a message from the leader. */
export function decodeLeaderMessage(raw: string | Buffer): Decoded<LeaderMessage> {
  const h = decodeEnvelope(raw);
  if (!h.ok) return h;
  const m = h.message;
  if (m.type === 'welcome' && isStr(m.leader) && isSeq(m.epoch))
    return m.features === undefined || isStrList(m.features, 16)
      ? { ok: true, message: m as unknown as LeaderMessage }
      : { ok: false, reason: 'welcome features must be a short list of names' };
  if (m.type === 'resync' && typeof m.reason === 'string')
    return { ok: true, message: m as unknown as LeaderMessage };
  if (m.type === 'kv.resync' && typeof m.reason === 'string')
    return { ok: true, message: m as unknown as LeaderMessage };
  if (
    m.type === 'command' ||
    m.type === 'cancel' ||
    m.type === 'kv.lookup.result' ||
    m.type === 'pace'
  ) {
    const problem =
      m.type === 'command'
        ? checkCommand(m)
        : m.type === 'cancel'
          ? checkCancel(m)
          : m.type === 'pace'
            ? checkPace(m)
            : checkKvLookupResult(m);
    return problem === undefined
      ? { ok: true, message: m as unknown as LeaderMessage }
      : { ok: false, reason: problem };
  }
  return { ok: false, reason: `bad leader message of type ${JSON.stringify(m.type)}` };
}

export type { EngineReport, GpuHealthSummary };
