/**
 * What every connection of one block server shares: the store, the auth token's digest, the
 * bounds and the metrics. The server builds it once; each BlockConnection and its request
 * handler read it (and `servePeers` changes while connections live).
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../shared/index.js';
import type { BlockMissSource } from '../block-requests.js';
import type { BlockStore } from '../block-store.js';
import type { ReceivePool } from '../receive-pool.js';
import type { BlockServiceMetrics } from './block-service-metrics.js';

/** What every connection of one server shares. */
export interface ConnectionContext {
  readonly store: BlockStore;
  /** SHA-256 of the token; undefined: no auth asked (a loopback-only service). */
  readonly tokenDigest: Buffer | undefined;
  /** Mutable: kv.configure turns sharing on and off while connections live. */
  servePeers: boolean;
  readonly misses: BlockMissSource | undefined;
  readonly maxFrameBytes: number;
  /** Where request bodies are received; a put's memory goes back once stored. */
  readonly memory: ReceivePool;
  readonly maxInFlight: number;
  readonly writeHighWaterBytes: number;
  readonly idleTimeoutMs: number;
  readonly frameTimeoutMs: number;
  readonly missTimeoutMs: number;
  readonly metrics: BlockServiceMetrics;
  readonly log: Logger;
}

/** SHA-256 of a token, so presented and expected tokens compare in constant time at any length. */
export const sha256 = (token: string): Buffer =>
  createHash('sha256').update(token, 'utf8').digest();

/** The SHA-256 a server compares presented tokens against (constant time, any length). */
export function tokenDigest(token: string): Buffer | undefined {
  return token === '' ? undefined : sha256(token);
}
