/**
 * Cluster-state gauges, computed at scrape time from the store: how many engines are fresh,
 * stale, down or on a failed GPU, and a per-engine stale flag, so a dashboard sees at once which
 * node lost its agent.
 */
import { Gauge, type Registry } from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';

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
    help: '1 when the agent data of an engine is stale (agent lost or report too old)',
    labelNames: ['node', 'engine'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of store.endpoints())
        this.set({ node: s.endpoint.node, engine: s.endpoint.name }, s.stale ? 1 : 0);
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
