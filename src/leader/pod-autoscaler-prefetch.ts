/**
 * Before a scale-up, the leader commands `weights.pull` on the nodes likely to receive the new
 * pods (prefetch-plan.ts picks them), so the new engine loads from the node cache. The model's
 * URI comes from the PodAutoscaler's `autoscaling.infernode.io/prefetch-uri` annotation (engine
 * reports do not say where their weights came from); without it nothing is prefetched. The pulls
 * are not awaited: the scale goes on at once, and each result is only logged and counted.
 */
import { prefetchNodes, type PodAutoscaler } from '../autoscaling/index.js';
import type { Counter, Logger } from '../shared/index.js';
import type { CommandClient } from './command-client.js';
import type { ClusterStateStore } from './cluster-state.js';
import { enginesOf, type AutoscalerState } from './pod-autoscaler-sampler.js';

/** The annotation naming the artifact URI to prefetch. */
export const PREFETCH_URI_ANNOTATION = 'autoscaling.infernode.io/prefetch-uri';

/** What a prefetch needs. */
export interface PrefetchDeps {
  readonly commands: Pick<CommandClient, 'send'>;
  readonly store: Pick<ClusterStateStore, 'nodes' | 'endpoints'>;
  readonly namespaced: boolean;
  /** `infernode_autoscaling_prefetch_total{result}`. */
  readonly counter: Counter<'result'>;
  /** Timeout of each pull. Default 2 h. */
  readonly pullTimeoutMs?: number;
}

/** Starts the pulls; returns the nodes commanded. */
export function prefetchBeforeScaleUp(
  deps: PrefetchDeps,
  pa: PodAutoscaler,
  state: AutoscalerState,
  added: number,
  log: Logger,
): string[] {
  const uri = pa.metadata.annotations?.[PREFETCH_URI_ANNOTATION];
  if (uri === undefined || uri === '') return [];
  const endpoints = deps.store.endpoints();
  const serving = new Set(enginesOf(state, endpoints, deps.namespaced).map((e) => e.endpoint.node));
  const nodes = prefetchNodes(
    deps.store.nodes().map((n) => ({
      node: n.node,
      connected: n.connected,
      healthyGpus: n.gpus.filter((g) => g.health === 'healthy').map((g) => g.index),
      engineGpus: endpoints
        .filter((e) => e.endpoint.node === n.node)
        .map((e) => e.endpoint.gpuIndices),
      servesTarget: serving.has(n.node),
    })),
    added,
  );
  for (const node of nodes)
    void deps.commands
      .send({
        node,
        kind: 'weights.pull',
        args: { uri },
        timeoutMs: deps.pullTimeoutMs ?? 7_200_000,
      })
      .then((result) => {
        deps.counter.inc({ result: result.ok ? 'ok' : 'failed' });
        if (!result.ok)
          log.warn({ node, uri, code: result.code }, `prefetch failed: ${result.message}`);
      });
  if (nodes.length > 0) log.info({ nodes, uri }, 'prefetching weights before a scale-up');
  return nodes;
}
