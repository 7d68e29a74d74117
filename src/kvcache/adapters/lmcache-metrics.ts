/** The LMCache listener's metrics (`infernode_kv_lmcache_*`); label values are fixed sets. */
import { Counter, Gauge, METRIC_PREFIX, type Registry } from '../../shared/index.js';

/** Why a connection was closed by the listener (or refused before it was served). */
export type LmcacheCloseReason =
  | 'not-allowed'
  | 'too-many'
  | 'unknown-command'
  | 'negative-length'
  | 'bad-key'
  | 'too-large'
  | 'stalled';

/** The listener's instruments. */
export interface LmcacheMetrics {
  readonly connections: Gauge;
  readonly closed: Counter<'reason'>;
  readonly requests: Counter<'command' | 'result'>;
  readonly bytes: Counter<'direction'>;
}

/** Registers the listener's metrics on `registry`. */
export function createLmcacheMetrics(registry: Registry): LmcacheMetrics {
  const registers = [registry];
  return {
    connections: new Gauge({
      name: `${METRIC_PREFIX}kv_lmcache_connections`,
      help: 'Open connections to the LMCache-compatible listener',
      registers,
    }),
    closed: new Counter({
      name: `${METRIC_PREFIX}kv_lmcache_faults_total`,
      help: 'Connections the LMCache listener closed or refused, by reason (bad input, not allowed, too many, stalled)',
      labelNames: ['reason'],
      registers,
    }),
    requests: new Counter({
      name: `${METRIC_PREFIX}kv_lmcache_requests_total`,
      help: 'LMCache requests served, by command (put, get, exist, list, health) and result (ok, miss, dropped)',
      labelNames: ['command', 'result'],
      registers,
    }),
    bytes: new Counter({
      name: `${METRIC_PREFIX}kv_lmcache_payload_bytes_total`,
      help: 'LMCache value bytes received (in) and sent (out)',
      labelNames: ['direction'],
      registers,
    }),
  };
}
