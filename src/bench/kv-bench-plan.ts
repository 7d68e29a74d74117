/**
 * What the `bench kv` parent and its server process agree on: the plan the child is started
 * with and the counters it answers with. Kept apart so both sides import types only.
 */

/** How the server child runs: raw TCP, or a real BlockServer over a pre-filled BlockStore. */
export interface KvChildPlan {
  readonly mode: 'raw' | 'block';
  readonly blockBytes: number;
  /** Keys 1..prefillBlocks are stored before `ready` (block mode); the gets ask for them. */
  readonly prefillBlocks: number;
  /** Blocks the store must hold at once: the prefill plus one measurement's puts. */
  readonly storeBlocks: number;
  /** The largest reply the raw server writes, bytes (one frame of `batch` blocks). */
  readonly maxReplyBytes: number;
  /** The block service's token (block mode). */
  readonly token: string;
  /** Put memory the block service keeps for reuse: every client connection's frame in flight. */
  readonly maxPooledBytes: number;
}

/** The child's counters since it started; the parent takes differences. */
export interface KvChildStats {
  readonly type: 'stats';
  /** Bytes read from and written to client sockets. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** process.cpuUsage() of the child, user + system, microseconds. */
  readonly cpuMicros: number;
  /** Minor page faults of the child (memory the kernel had to map in). */
  readonly pageFaults: number;
}
