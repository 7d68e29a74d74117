/**
 * The discovery view indexed for the store's reads: its nodes, its engines by model and by id.
 * Rebuilt only when discovery changes: a gateway pick reads one model's engines, and at 1,000
 * nodes × 8 engines a scan of them all per pick was most of the leader's CPU (issue #18).
 */
import type { ClusterView, EngineEndpoint } from '../discovery/index.js';

/** One discovery view with its indexes. */
export interface DiscoveryIndex {
  readonly view: ClusterView;
  /** Nodes with at least one discovered engine. */
  readonly nodes: ReadonlySet<string>;
  /** Engines by model, in discovery order. */
  readonly byModel: ReadonlyMap<string, readonly EngineEndpoint[]>;
  /** Engines by id; the first wins should discovery list an id twice. */
  readonly byId: ReadonlyMap<string, EngineEndpoint>;
}

/** Indexes `view` (one pass over its engines). */
export function indexDiscovery(view: ClusterView): DiscoveryIndex {
  const byModel = new Map<string, EngineEndpoint[]>();
  const byId = new Map<string, EngineEndpoint>();
  for (const e of view.endpoints) {
    const list = byModel.get(e.model);
    if (list === undefined) byModel.set(e.model, [e]);
    else list.push(e);
    // The first wins, as the scans it replaces found the first.
    if (!byId.has(e.id)) byId.set(e.id, e);
  }
  return { view, nodes: new Set(view.endpoints.map((e) => e.node)), byModel, byId };
}
