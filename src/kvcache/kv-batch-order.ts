/**
 * The order of one node's `kv` batches at the leader's index. Batches carry a per-connection
 * seq. A `reset` batch drops everything the node reported and starts its seq over; any other
 * batch must be the next seq. A skipped seq (or a first batch that is not a reset) is a gap: the
 * caller sends `kv.resync` once, and the node's batches are ignored until its reset arrives, so a
 * lost change never leaves the index silently wrong. Pure.
 */

/** A node's ordering state (part of the index's node record). */
export interface KvBatchOrder {
  /** Seq of the last batch applied. */
  lastSeq: number;
  /** A gap (or a new connection) was seen: batches are ignored until a reset. */
  awaitingReset: boolean;
  /** A `kv.resync` was asked for since the last reset (asked once per gap). */
  resyncAsked: boolean;
}

/**
 * What to do with the batch, its effect on `order` made: `reset` (drop the node's holdings,
 * then apply), `apply`, `gap` (ask for a resync) or `ignore`.
 */
export function admitKvBatch(
  order: KvBatchOrder,
  batch: { readonly seq: number; readonly reset?: boolean },
): 'reset' | 'apply' | 'gap' | 'ignore' {
  if (batch.reset === true) {
    order.awaitingReset = false;
    order.resyncAsked = false;
    order.lastSeq = batch.seq;
    return 'reset';
  }
  if (order.awaitingReset || batch.seq !== order.lastSeq + 1) {
    // A node never heard from, a new connection, or a skipped seq: only a reset repairs it.
    order.awaitingReset = true;
    if (order.resyncAsked) return 'ignore';
    order.resyncAsked = true;
    return 'gap';
  }
  order.lastSeq = batch.seq;
  return 'apply';
}
