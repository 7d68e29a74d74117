/**
 * Where an engine publishes vLLM KV events (its `--kv-events-config` endpoints as reachable from
 * the node agent): the cluster file's engine `kvEvents: {endpoint, replayEndpoint, topic}`, or
 * on Kubernetes the pod annotations `kv.infernode.io/events-endpoint`,
 * `kv.infernode.io/events-replay-endpoint` and `kv.infernode.io/events-topic`.
 */
import type { ConfigIssue } from '../shared/index.js';
import { isObj, type Obj } from './cluster-file-fields.js';

/** An engine's KV event sockets. */
export interface EngineKvEvents {
  /** The PUB socket, e.g. `tcp://127.0.0.1:5557`. */
  readonly endpoint: string;
  /** The replay ROUTER socket; absent: gaps cannot be filled (the engine's blocks are re-learned). */
  readonly replayEndpoint?: string;
  /** Topic prefix to subscribe to; default "" (all). */
  readonly topic?: string;
}

/** Pod annotations that name an engine's KV event sockets. */
export const KV_EVENTS_ANNOTATIONS = {
  endpoint: 'kv.infernode.io/events-endpoint',
  replayEndpoint: 'kv.infernode.io/events-replay-endpoint',
  topic: 'kv.infernode.io/events-topic',
} as const;

const ZMQ_ENDPOINT = /^(tcp:\/\/[^\s/]+:\d+|ipc:\/\/\S+)$/;

/** The cluster file's `kvEvents:` of one engine; undefined when absent or invalid (an issue). */
export function parseEngineKvEvents(
  raw: Obj,
  path: string,
  issues: ConfigIssue[],
): EngineKvEvents | undefined {
  if (raw.kvEvents === undefined) return undefined;
  const at = `${path}.kvEvents`;
  if (!isObj(raw.kvEvents)) {
    issues.push({ path: at, message: 'expected a mapping {endpoint, replayEndpoint?, topic?}' });
    return undefined;
  }
  const k = raw.kvEvents;
  const bad = (v: unknown): boolean => typeof v !== 'string' || !ZMQ_ENDPOINT.test(v);
  let ok = true;
  if (bad(k.endpoint)) {
    issues.push({ path: `${at}.endpoint`, message: 'expected tcp://host:port or ipc://path' });
    ok = false;
  }
  if (k.replayEndpoint !== undefined && bad(k.replayEndpoint)) {
    issues.push({
      path: `${at}.replayEndpoint`,
      message: 'expected tcp://host:port or ipc://path',
    });
    ok = false;
  }
  if (k.topic !== undefined && typeof k.topic !== 'string') {
    issues.push({ path: `${at}.topic`, message: 'expected a string' });
    ok = false;
  }
  for (const key of Object.keys(k))
    if (!['endpoint', 'replayEndpoint', 'topic'].includes(key)) {
      issues.push({ path: `${at}.${key}`, message: 'unknown field' });
      ok = false;
    }
  if (!ok) return undefined;
  return {
    endpoint: k.endpoint as string,
    ...(k.replayEndpoint === undefined ? {} : { replayEndpoint: k.replayEndpoint as string }),
    ...(k.topic === undefined ? {} : { topic: k.topic as string }),
  };
}

/** The KV event sockets named by a pod's annotations; undefined when absent or malformed. */
export function kvEventsFromAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): EngineKvEvents | undefined {
  const endpoint = annotations?.[KV_EVENTS_ANNOTATIONS.endpoint];
  if (endpoint === undefined || !ZMQ_ENDPOINT.test(endpoint)) return undefined;
  const replay = annotations?.[KV_EVENTS_ANNOTATIONS.replayEndpoint];
  const topic = annotations?.[KV_EVENTS_ANNOTATIONS.topic];
  return {
    endpoint,
    ...(replay !== undefined && ZMQ_ENDPOINT.test(replay) ? { replayEndpoint: replay } : {}),
    ...(topic === undefined ? {} : { topic }),
  };
}
