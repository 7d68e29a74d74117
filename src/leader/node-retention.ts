/**
 * Which node records the leader keeps (pure). A node that said hello once used to stay forever,
 * and past a fixed 10,000 names new real nodes were refused. Now the table is bounded by what
 * discovery knows:
 * - a node that discovery knows (it has an engine in the view) is kept while it does;
 * - a node discovery does not know is kept while its agent is connected, and forgotten once it
 *   has been disconnected for `forgetAfterMs`;
 * - at most `maxUndiscoveredNodes` such nodes are held at once, so a hello from a node discovery
 *   has not seen yet (the race between an agent starting and its pods being listed) is accepted,
 *   while a flood of made-up names is not: when the bound is reached, the one disconnected
 *   longest makes room; when all of them are connected, the hello is refused.
 * So the table holds at most (nodes in discovery) + `maxUndiscoveredNodes` records.
 */

/** What retention needs to know about one node record. */
export interface NodeRecordFacts {
  readonly node: string;
  readonly connected: boolean;
  /** When its agent was last lost (ms since the epoch); undefined while connected. */
  readonly disconnectedAtMs: number | undefined;
}

/** How long and how many undiscovered node records are kept. */
export interface NodeRetentionPolicy {
  /** A node gone from discovery and disconnected this long is forgotten, ms. */
  readonly forgetAfterMs: number;
  /** Most records of nodes that discovery does not know, held at once. */
  readonly maxUndiscoveredNodes: number;
}

/** Whether a hello from a node not in the table is taken, and which record makes room. */
export type NewNodeDecision =
  | { readonly kind: 'admit' }
  | { readonly kind: 'admit-evicting'; readonly evict: string }
  | { readonly kind: 'refuse' };

/** Names of the records to forget now: not in discovery and disconnected for `forgetAfterMs`. */
export function nodesToForget(
  records: Iterable<NodeRecordFacts>,
  discovered: ReadonlySet<string>,
  nowMs: number,
  policy: NodeRetentionPolicy,
): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (discovered.has(r.node) || r.connected || r.disconnectedAtMs === undefined) continue;
    if (nowMs - r.disconnectedAtMs >= policy.forgetAfterMs) out.push(r.node);
  }
  return out;
}

/**
 * The earliest time any record may be due to be forgotten (Infinity when none can be until a
 * record is lost or discovery changes): callers skip `nodesToForget` scans before it.
 */
export function nextForgetAtMs(
  records: Iterable<NodeRecordFacts>,
  discovered: ReadonlySet<string>,
  policy: NodeRetentionPolicy,
): number {
  let next = Infinity;
  for (const r of records) {
    if (discovered.has(r.node) || r.connected || r.disconnectedAtMs === undefined) continue;
    next = Math.min(next, r.disconnectedAtMs + policy.forgetAfterMs);
  }
  return next;
}

/**
 * Decides on a hello from `node`, which has no record yet. A node discovery knows is always
 * taken; another is taken while fewer than `maxUndiscoveredNodes` undiscovered records exist, or
 * by evicting the undiscovered record disconnected longest; else refused.
 */
export function decideNewNode(
  node: string,
  records: Iterable<NodeRecordFacts>,
  discovered: ReadonlySet<string>,
  policy: NodeRetentionPolicy,
): NewNodeDecision {
  if (discovered.has(node)) return { kind: 'admit' };
  let undiscovered = 0;
  let oldest: NodeRecordFacts | undefined;
  for (const r of records) {
    if (discovered.has(r.node)) continue;
    undiscovered++;
    if (r.connected || r.disconnectedAtMs === undefined) continue;
    if (oldest?.disconnectedAtMs === undefined || r.disconnectedAtMs < oldest.disconnectedAtMs)
      oldest = r;
  }
  if (undiscovered < policy.maxUndiscoveredNodes) return { kind: 'admit' };
  if (oldest !== undefined) return { kind: 'admit-evicting', evict: oldest.node };
  return { kind: 'refuse' };
}
