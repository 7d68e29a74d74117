/**
 * The KV cache room's I/O: the agent's native block service (server and pooled client) and the
 * LMCache-compatible listener over node:net, and the engine KV event subscriber (ZeroMQ). Reached only from composition roots (agent, up, bench, cli).
 */
export { BlockServer, type BlockServerOptions } from './block-server.js';
export { BlockClient, type BlockClientOptions, type BlockCallOptions } from './block-client.js';
export type { BlockCall } from './block-client-connection.js';
export {
  BlockServiceMetrics,
  type CloseReason,
  type KvTierLabel,
} from './block-service-metrics.js';
export { parseIkvUrl, formatIkvUrl, type IkvAddress } from './ikv-url.js';
export {
  LmcacheServer,
  LMCACHE_SERVER_DEFAULTS,
  type LmcacheServerOptions,
} from './lmcache-server.js';
export {
  createLmcacheMetrics,
  type LmcacheMetrics,
  type LmcacheCloseReason,
} from './lmcache-metrics.js';
export { addressAllowlist, LOOPBACK_CIDRS, type AddressAllowlist } from './address-allowlist.js';
export * from './kv-event-subscriber.js';
export { readInto, type SocketReads } from './accepted-socket-reads.js';
