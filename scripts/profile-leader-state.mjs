// In-process profile of the leader's state path at scale (issue #18): feeds a ClusterStateStore
// (with the KV index and the listeners main.ts wires) N nodes × M engines of hello snapshots and
// state deltas, then times catalog lookups (a gateway pick's read), a /metrics render, and one
// second of `bench leader`'s traffic (2 deltas and 10 KV batches of 10 blocks per node, 100
// picks): its time is the cores the leader needs for that traffic, before its HTTP/WebSocket work.
// Needs `npm run build`. Usage: node [--cpu-prof] scripts/profile-leader-state.mjs [nodes] [engines]
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { ClusterStateStore } from '../dist/leader/cluster-state.js';
import { ClusterEndpointCatalog } from '../dist/leader/cluster-endpoint-catalog.js';
import { registerClusterMetrics } from '../dist/leader/cluster-metrics.js';
import { buildKvIndex } from '../dist/leader/kv-index-wiring.js';
import { clusterNodeKeys } from '../dist/leader/gpu-remediation.js';
import { decodeAgentMessage } from '../dist/protocol/index.js';
import { createLogger, createRegistry, systemClock } from '../dist/shared/index.js';
import {
  engineId,
  engineReport,
  gpuSummaries,
  modelOf,
  nodeName,
} from '../dist/bench/leader-bench-plan.js';

const say = (line) => process.stdout.write(`${line}\n`);
const nodes = Number(process.argv[2] ?? 1000);
const engines = Number(process.argv[3] ?? 8);
const models = 8;
const log = createLogger({ level: 'silent' });
const registry = createRegistry();
const store = new ClusterStateStore({ clock: systemClock, maxUndiscoveredNodes: 10 });
const kv = buildKvIndex({ store, registry, log });
store.onChange((_r, node) => kv.reconcile(node));
// The GPU remediation reconciler reads its node on every change (as its host would, coalesced or not).
const keys = clusterNodeKeys(store);
keys.watch((node) => store.node(node));
registerClusterMetrics(registry, store);

const endpoints = [];
for (let n = 0; n < nodes; n++)
  for (let e = 0; e < engines; e++)
    endpoints.push({
      id: engineId(n, e),
      name: `engine-${e}`,
      model: modelOf(n, e, engines, models),
      node: nodeName(n),
      url: 'http://127.0.0.1:1',
      ready: true,
      gpuIndices: [e],
    });
store.setDiscovery({ endpoints, resources: [] });

const reports = (n, tick) =>
  Array.from({ length: engines }, (_, e) =>
    engineReport(engineId(n, e), modelOf(n, e, engines, models), 'http://127.0.0.1:1', tick),
  );
const time = (label, fn) => {
  const t0 = performance.now();
  const result = fn();
  const ms = performance.now() - t0;
  say(`${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms`);
  return result;
};
const apply = (n, text) => {
  const d = decodeAgentMessage(Buffer.from(text));
  if (!d.ok) throw new Error(d.reason);
  const m = d.message;
  if (m.type === 'hello') store.applySnapshot(m.node, m.agentVersion, m.snapshot);
  else store.applyDelta(nodeName(n), m);
};

const hellos = Array.from({ length: nodes }, (_, n) =>
  JSON.stringify({
    v: 1,
    type: 'hello',
    node: nodeName(n),
    agentVersion: 'bench',
    seq: 0,
    snapshot: { engines: reports(n, 0), gpus: gpuSummaries(engines) },
  }),
);
time(`hello snapshots (${nodes} nodes)`, () => hellos.forEach((h, n) => apply(n, h)));
for (let round = 1; round <= 3; round++) {
  const deltas = Array.from({ length: nodes }, (_, n) =>
    JSON.stringify({ v: 1, type: 'state', seq: round, engines: reports(n, round) }),
  );
  time(`state deltas, round ${round} (${nodes} messages)`, () =>
    deltas.forEach((d, n) => apply(n, d)),
  );
}
const catalog = new ClusterEndpointCatalog(store);
const lookups = 200;
time(`catalog.lookup × ${lookups} (${(nodes * engines) / models} engines/model)`, () => {
  for (let i = 0; i < lookups; i++) catalog.lookup(`bench-model-${i % models}`);
});
time(`catalog.lookup(adapter-miss) × 20`, () => {
  for (let i = 0; i < 20; i++) catalog.lookup('no-such-model');
});
time(`catalog.endpointUrl × ${lookups}`, () => {
  for (let i = 0; i < lookups; i++) catalog.endpointUrl(engineId(i % nodes, 0));
});
time('catalog.models() × 20', () => {
  for (let i = 0; i < 20; i++) catalog.models();
});
const text = await (async () => {
  const t0 = performance.now();
  const t = await registry.metrics();
  say(`${'/metrics render'.padEnd(44)} ${(performance.now() - t0).toFixed(1).padStart(9)} ms`);
  return t;
})();
say(`/metrics size ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines`);
const urgent = JSON.stringify({
  v: 1,
  type: 'state',
  seq: 4,
  urgent: true,
  gpus: gpuSummaries(engines, 0),
});
time('urgent GPU delta × 100 (listeners fire)', () => {
  for (let i = 0; i < 100; i++) apply(i, urgent);
});
// One second of the bench's default traffic, as encoded frames (decoding is part of the cost).
const kvSeq = new Map();
const kvFrame = (n, reset, blocks) => {
  const seq = reset ? 1 : (kvSeq.get(n) ?? 0) + 1;
  kvSeq.set(n, seq);
  const deltas = Array.from({ length: engines }, (_, e) => ({
    tier: 'gpu',
    engineId: engineId(n, e),
    stored: blocks.filter((_, i) => i % engines === e),
  })).filter((d) => d.stored.length > 0);
  return JSON.stringify({ v: 1, type: 'kv', seq, ...(reset ? { reset: true } : {}), deltas });
};
let nextBlock = 1;
const block = (n) => n * 2 ** 32 + nextBlock++;
const applyKv = (n, text) => {
  const d = decodeAgentMessage(Buffer.from(text));
  if (!d.ok) throw new Error(d.reason);
  kv.hubOption.agentMessage(nodeName(n), d.message, () => true);
};
time(`kv resets (${nodes} nodes × 100 blocks)`, () => {
  for (let n = 0; n < nodes; n++)
    applyKv(
      n,
      kvFrame(
        n,
        true,
        Array.from({ length: 100 }, () => block(n)),
      ),
    );
});
const buildSecond = () => {
  const second = [];
  for (let tick = 0; tick < 10; tick++)
    for (let n = 0; n < nodes; n++) {
      const k = kvFrame(
        n,
        false,
        Array.from({ length: 10 }, () => block(n)),
      );
      second.push(() => applyKv(n, k));
      if (tick % 5 === 0) {
        const d = JSON.stringify({ v: 1, type: 'state', seq: 4, engines: reports(n, tick) });
        second.push(() => apply(n, d));
      }
    }
  for (let i = 0; i < 100; i++)
    second.splice(Math.floor((i * second.length) / 100), 0, () =>
      catalog.lookup(`bench-model-${i % models}`),
    );
  return second;
};
for (let round = 1; round <= 2; round++) {
  const second = buildSecond();
  time(`1 s of traffic, round ${round} (${second.length} messages)`, () =>
    second.forEach((f) => f()),
  );
}
say(`heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
