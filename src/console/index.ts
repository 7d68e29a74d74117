/**
 * The console room (issue #17): the web console's data, assembled from what the leader holds.
 * Pure: no I/O here; the leader's console-wiring.ts serves it.
 */
export * from './console-snapshot.js';
export { applyConsoleDelta, appendSamples } from './console-delta.js';
export { RingBuffer } from './ring-buffer.js';
export { ConsoleEventLog, type ConsoleEventInput } from './console-event-log.js';
export { RoutingDecisionLog } from './routing-decision-log.js';
export { EngineSeries, samplesOf, type EngineSeriesOptions } from './engine-series.js';
export {
  consoleEngine,
  consoleEngines,
  consoleEnginesSpread,
  consoleKv,
  consoleNodes,
  engineStateOf,
  type EngineStateInput,
  type NodeStateInput,
} from './cluster-sections.js';
export { IdOrder } from './engine-order.js';
export { ConsoleRowMemo } from './row-memo.js';
export { consoleAdapters, consoleAutoscalers } from './resource-sections.js';
export { stateEvents } from './state-events.js';
export { ConsoleFeed, type ConsoleFeedOptions, type ConsoleSources } from './console-feed.js';
