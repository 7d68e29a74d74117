/**
 * The kvcache room's I/O adapters, reached only from the composition roots (agent, leader, up,
 * bench, cli; scripts/check-architecture.mjs). One export per line, so parallel additions merge
 * cleanly.
 */
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
