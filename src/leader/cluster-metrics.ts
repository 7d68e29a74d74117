/**
 * Cluster-state gauges, computed at scrape time from the store: how many engines are fresh,
 * stale, down or on a failed GPU, and a stale flag for each stale engine, so a dashboard sees at
 * once which node lost its agent.
 *
 * The flag is set only for stale engines, and for at most {@link MAX_STALE_ENGINE_SERIES} of them:
 * a series per engine was 8,000 series per scrape at 1,000 nodes × 8 engines (issue #18), and a
 * lost rack must not make the scrape as large. The `infernode_leader_engines{state="stale"}` count
 * stays exact.
 */
import { Gauge, type Registry } from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';

/** Most `infernode_leader_engine_stale` series in one scrape (stale engines only). */
export const MAX_STALE_ENGINE_SERIES = 100;

/** Registers the cluster-state gauges, read from the store at scrape time. */
export function registerClusterMetrics(registry: Registry, store: ClusterStateStore): void {
  new Gauge({
    name: 'infernode_leader_engines',
    help: 'Engines known to the leader, by state (fresh, stale, down, gpu_failed, draining)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = { fresh: 0, stale: 0, down: 0, gpu_failed: 0, draining: 0 };
      for (const s of store.endpoints()) {
        if (s.gpuFailed) counts.gpu_failed++;
        else if (s.agentSaysDown) counts.down++;
        else if (s.draining) counts.draining++;
        else if (s.stale) counts.stale++;
        else counts.fresh++;
      }
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'infernode_leader_engine_stale',
    help: `1 for an engine whose agent data is stale (agent lost or report too old); only stale engines, at most ${MAX_STALE_ENGINE_SERIES}`,
    labelNames: ['node', 'engine'],
    registers: [registry],
    collect() {
      this.reset();
      let shown = 0;
      for (const s of store.endpoints()) {
        if (!s.stale) continue;
        if (shown++ >= MAX_STALE_ENGINE_SERIES) break;
        this.set({ node: s.endpoint.node, engine: s.endpoint.name }, 1);
      }
    },
  });
  new Gauge({
    name: 'infernode_leader_nodes_connected',
    help: 'Nodes whose agent is connected',
    registers: [registry],
    collect() {
      this.set(store.nodes().filter((n) => n.connected).length);
    },
  });
}
