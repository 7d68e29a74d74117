import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterStateStore } from '../../../src/leader/index.js';
import { ClusterEndpointCatalog } from '../../../src/leader/cluster-endpoint-catalog.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import type { EngineEndpoint } from '../../../src/discovery/index.js';
import type { EngineReport } from '../../../src/protocol/index.js';

// The store patches each model's engine list where a node reported (model-states-cache.ts) and
// the catalog patches its views the same way. Whatever happens — reports, lost agents, GPU
// failures, time passing, pacing widening the staleness limit, discovery changing — a model's
// list must equal one derived from scratch, and a list handed out earlier must not change.
const NODES = ['n0', 'n1', 'n2', 'n3'];
const MODELS = ['m0', 'm1'];

const endpoint = (node: string, model: string): EngineEndpoint => ({
  id: `${node}/${model}`,
  name: `${node}-${model}`,
  model,
  url: `http://127.0.0.1:1/${node}/${model}`,
  node,
  engine: 'vllm',
  gpuIndices: [MODELS.indexOf(model)],
  ready: true,
});
const report = (node: string, model: string, ready: boolean): EngineReport => ({
  id: `${node}/${model}`,
  model,
  url: 'u',
  ready,
  adapters: [],
});

const node = fc.constantFrom(...NODES);
const op = fc.oneof(
  fc.record({ kind: fc.constant('hello' as const), node }),
  fc.record({
    kind: fc.constant('delta' as const),
    node,
    model: fc.constantFrom(...MODELS),
    ready: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('gpu' as const), node, failed: fc.boolean() }),
  fc.record({ kind: fc.constant('lost' as const), node }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2500 }) }),
  fc.record({ kind: fc.constant('gap' as const), ms: fc.constantFrom(0, 750, 5000) }),
  fc.record({ kind: fc.constant('discovery' as const), drop: node }),
  fc.record({ kind: fc.constant('read' as const), model: fc.constantFrom(...MODELS) }),
);

describe('patched model lists against lists derived from scratch', () => {
  it('stay equal through any sequence of reports, losses, time and discovery changes', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 80 }), (ops) => {
        const clock = new ManualClock();
        const store = new ClusterStateStore({ clock, staleAfterMs: 1000 });
        const catalog = new ClusterEndpointCatalog(store);
        const all = NODES.flatMap((n) => MODELS.map((m) => endpoint(n, m)));
        store.setDiscovery({ endpoints: all, resources: [] });
        const seqs = new Map<string, number>();
        const handedOut: { list: readonly unknown[]; copy: unknown[] }[] = [];
        for (const o of ops) {
          const seq = (seqs.get('node' in o ? o.node : '') ?? 0) + 1;
          if ('node' in o) seqs.set(o.node, seq);
          if (o.kind === 'hello')
            store.applySnapshot(o.node, 'v', {
              engines: MODELS.map((m) => report(o.node, m, true)),
              gpus: [],
            });
          else if (o.kind === 'delta')
            store.applyDelta(o.node, {
              v: 1,
              type: 'state',
              seq,
              engines: [report(o.node, o.model, o.ready)],
            });
          else if (o.kind === 'gpu')
            store.applyDelta(o.node, {
              v: 1,
              type: 'state',
              seq,
              gpus: [
                { index: 0, uuid: 'GPU-0', health: o.failed ? 'failed' : 'healthy', reasons: [] },
              ],
            });
          else if (o.kind === 'lost') store.markAgentLost(o.node);
          else if (o.kind === 'advance') clock.advance(o.ms);
          else if (o.kind === 'gap') store.allowReportGap(o.ms);
          else if (o.kind === 'discovery')
            store.setDiscovery({ endpoints: all.filter((e) => e.node !== o.drop), resources: [] });
          else {
            const list = store.endpointsForModel(o.model);
            handedOut.push({ list, copy: [...list] });
            const scratch = store.endpoints().filter((s) => s.endpoint.model === o.model);
            expect(list).toEqual(scratch);
            const lookup = catalog.lookup(o.model);
            expect(lookup).toEqual(new ClusterEndpointCatalog(store).lookup(o.model));
            // The locator still points at each engine where the patched list has it.
            lookup.endpoints.forEach((e, i) => {
              expect(lookup.locate?.indexOfId(e.id)).toBe(i);
              expect(lookup.locate?.indexesOfNode(e.node)).toContain(i);
            });
            expect(catalog.knows(o.model)).toBe(list.length > 0);
          }
        }
        for (const h of handedOut) h.list.forEach((s, i) => expect(s).toBe(h.copy[i]));
      }),
      { numRuns: 400 },
    );
  });
});
