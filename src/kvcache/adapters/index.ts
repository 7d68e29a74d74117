/**
 * The KV cache room's I/O adapters, for the composition roots only (agent, leader, up, bench,
 * cli): the engine KV event subscriber (ZeroMQ).
 */
export * from './kv-event-subscriber.js';
