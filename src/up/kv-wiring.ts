/**
 * Every name `infernode up` uses to wire the KV cache (issue #14) between its processes, in one
 * place, as weights-wiring.ts does for weights:
 * - what an agent gets: its native block service on (`kv.enabled`), on a port of its own, with
 *   the token the whole local cluster shares;
 * - what a simulated engine gets: vLLM's `--kv-events-config`, publishing on the sockets its
 *   engine entry's `kvEvents:` names, so the node agent (which reads that same entry) subscribes.
 * Pure.
 */
import type { EngineEntry } from '../discovery/index.js';
import type { ChildWeightsSettings } from './weights-wiring.js';

/** Each local agent's L1 block store budget: 1 GiB. */
export const LOCAL_KV_BUDGET_BYTES = 1024 ** 3;

/** The KV block service one agent runs. */
export interface AgentKvService {
  /** The block service's port on 127.0.0.1. */
  readonly port: number;
  /** The cluster-wide KV token (one per local cluster). */
  readonly token: string;
}

/**
 * What `up` passes an agent for the KV cache. Environment only, no flags (an agent that does not
 * know a setting ignores a variable but refuses a flag): INFERNODE_AGENT_KV_ENABLED / _HOST /
 * _PORT / _BUDGET_BYTES are the agent config `kv.{enabled,host,port,budgetBytes}`,
 * INFERNODE_KV_TOKEN is `kv.token`.
 * Undefined `service`: KV off, nothing is set.
 */
export function agentKvSettings(service: AgentKvService | undefined): ChildWeightsSettings {
  if (service === undefined) return { args: [], env: {} };
  return {
    args: [],
    env: {
      INFERNODE_AGENT_KV_ENABLED: 'true',
      INFERNODE_AGENT_KV_HOST: '127.0.0.1',
      INFERNODE_AGENT_KV_PORT: String(service.port),
      // A laptop's share, not the node default of 32 GiB: several agents run on one machine.
      INFERNODE_AGENT_KV_BUDGET_BYTES: String(LOCAL_KV_BUDGET_BYTES),
      INFERNODE_KV_TOKEN: service.token,
    },
  };
}

/** The URL an engine or a peer reaches an agent's block service at. */
export const agentKvUrl = (service: AgentKvService): string => `ikv://127.0.0.1:${service.port}`;

const TCP_ENDPOINT = /^tcp:\/\/([^\s/]+):(\d+)$/;

/**
 * The endpoint as the engine binds it. vLLM binds a PUB endpoint only when it has a wildcard (or
 * is ipc/inproc) and connects otherwise, so the entry's `tcp://127.0.0.1:P` (where the agent
 * connects) becomes `tcp://*:P` for the engine. The replay ROUTER is always bound: kept as is.
 */
export function bindableEndpoint(endpoint: string): string {
  const m = TCP_ENDPOINT.exec(endpoint);
  return m === null ? endpoint : `tcp://*:${m[2]}`;
}

/**
 * The simulator flags that make an engine publish the KV events its entry's `kvEvents:` names:
 * `--kv-events-config` with vLLM's field names. None when the entry has no `kvEvents:`.
 */
export function simKvEventsArgs(engine: EngineEntry): string[] {
  const kv = engine.kvEvents;
  if (kv === undefined) return [];
  const config = {
    enable_kv_cache_events: true,
    publisher: 'zmq',
    endpoint: bindableEndpoint(kv.endpoint),
    ...(kv.replayEndpoint === undefined ? {} : { replay_endpoint: kv.replayEndpoint }),
    ...(kv.topic === undefined ? {} : { topic: kv.topic }),
  };
  return ['--kv-events-config', JSON.stringify(config)];
}

/** The TCP ports an engine's `kvEvents:` listens on (for the port check before start). */
export function kvEventsPorts(engine: EngineEntry): { port: number; field: string }[] {
  const kv = engine.kvEvents;
  if (kv === undefined) return [];
  const out: { port: number; field: string }[] = [];
  for (const [field, endpoint] of [
    ['kvEvents.endpoint', kv.endpoint],
    ['kvEvents.replayEndpoint', kv.replayEndpoint],
  ] as const) {
    const m = endpoint === undefined ? null : TCP_ENDPOINT.exec(endpoint);
    if (m !== null) out.push({ port: Number(m[2]), field });
  }
  return out;
}
