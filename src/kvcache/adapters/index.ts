/**
 * The KV cache room's I/O: the agent's native block service (server and pooled client) over
 * node:net, and the engine KV event subscriber (ZeroMQ). Reached only from composition roots
 * (agent, leader, up, bench, cli).
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
export * from './kv-event-subscriber.js';
