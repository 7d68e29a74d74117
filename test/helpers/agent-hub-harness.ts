/**
 * A real agent hub behind a real control server on 127.0.0.1:0 (plain or TLS), with any
 * AgentAuthenticator, and small helpers to speak the agent protocol to it from a raw ws client.
 */
import WebSocket from 'ws';
import type { AgentAuthenticator } from '../../src/leader/agent-authenticator.js';
import { ControlServer } from '../../src/leader/control-server.js';
import { AgentHub, ClusterStateStore } from '../../src/leader/index.js';
import type { KvIndexChannelFactory } from '../../src/leader/kv-index-channels.js';
import { buildKvIndex, type KvIndexWiring } from '../../src/leader/kv-index-wiring.js';
import { createRegistry, silentLogger, systemClock } from '../../src/shared/index.js';
import { waitFor } from './wait-for.js';

export interface HubHarness {
  readonly store: ClusterStateStore;
  /** ws:// or wss:// URL of /v1/agents. */
  readonly url: string;
  /** http:// or https:// base URL of the control server (/healthz, /metrics). */
  readonly controlUrl: string;
  readonly metrics: () => Promise<string>;
  readonly stop: () => Promise<void>;
}

/** A hub with the global KV block index wired as main.ts does. */
export interface KvHubHarness extends HubHarness {
  readonly kv: KvIndexWiring;
}

/** What startHub builds: the hub's options a test may set, and whether to wire the KV index. */
export interface HubOptions {
  readonly authenticator: AgentAuthenticator;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly fingerprint: string };
  /** Default 100 ms. */
  readonly pingIntervalMs?: number;
  /** Default: the hub's own. */
  readonly maxPayloadBytes?: number;
  /** Default: the hub's own (accepts `kv-binary`). */
  readonly kvBinary?: boolean;
  /** Apply the KV index on a thread reached this way; default: the hub's own thread. */
  readonly kvChannel?: KvIndexChannelFactory;
}

/** Starts a hub that leads as `l-0` at epoch 7. */
export function startHub(options: HubOptions): Promise<HubHarness> {
  return start(options, false);
}

/** Starts a hub as {@link startHub} does, with the KV index wired as main.ts does. */
export async function startKvHub(options: HubOptions): Promise<KvHubHarness> {
  const harness = await start(options, true);
  if (harness.kv === undefined) throw new Error('the KV index was not wired');
  return { ...harness, kv: harness.kv };
}

async function start(
  options: HubOptions,
  withKv: boolean,
): Promise<HubHarness & { readonly kv: KvIndexWiring | undefined }> {
  const registry = createRegistry({ defaultMetrics: false });
  const log = silentLogger();
  const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 1000 });
  const channel = options.kvChannel === undefined ? {} : { channel: options.kvChannel };
  const kv = withKv ? buildKvIndex({ store, registry, log, ...channel }) : undefined;
  if (kv !== undefined) store.onChange((_reason, node) => kv.reconcile(node));
  const hub = new AgentHub({
    store,
    authenticator: options.authenticator,
    log,
    registry,
    identity: () => ({ leader: 'l-0', epoch: 7 }),
    pingIntervalMs: options.pingIntervalMs ?? 100,
    ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
    ...(options.kvBinary === undefined ? {} : { kvBinary: options.kvBinary }),
    ...(kv === undefined ? {} : { kv: kv.hubOption }),
  });
  const control = new ControlServer({
    host: '127.0.0.1',
    port: 0,
    hub,
    store,
    registry,
    log,
    isReady: () => true,
    describe: () => ({}),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(kv === undefined ? {} : { kv: kv.view }),
  });
  const abort = new AbortController();
  const runs = Promise.all([hub.run(abort.signal), control.run(abort.signal)]);
  await waitFor(() => control.port > 0, 'control server');
  const scheme = options.tls === undefined ? 'ws' : 'wss';
  return {
    kv,
    store,
    url: `${scheme}://127.0.0.1:${control.port}/v1/agents`,
    controlUrl: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${control.port}`,
    metrics: () => registry.metrics(),
    stop: async () => {
      abort.abort();
      await runs;
      await kv?.index.close();
    },
  };
}

/** A protocol-v1 hello for `node` with one engine. */
export const helloFrame = (node: string, seq = 1): string =>
  JSON.stringify({
    v: 1,
    type: 'hello',
    node,
    agentVersion: 't',
    seq,
    snapshot: {
      engines: [{ id: `${node}/e0`, model: 'm', url: 'http://x', ready: true, adapters: [] }],
      gpus: [],
    },
  });

/** Opens a raw agent socket with a bearer credential; rejects on a refused upgrade. */
export function openAgentSocket(url: string, credential: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${credential}` } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Resolves with the close code and reason. */
export const closeOf = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

/** Resolves with the next JSON message. */
export const nextJson = (ws: WebSocket): Promise<Record<string, unknown>> =>
  new Promise((resolve) =>
    ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)),
  );
