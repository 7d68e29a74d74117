/**
 * The autoscaling room: HPA, KPA and APA (pure), metric windows and the PodAutoscaler controller
 * grow here (DESIGN.md §3). Pure today: the PodAutoscaler types, windows, algorithms and
 * `decideScale`.
 *
 * Decision code: pure, no I/O (lint-enforced); adapters go in `adapters/` behind their own
 * entry. May import `shared`, `engine`, `discovery` (resource shapes) and `controllers`.
 */
export * from './pod-autoscaler.js';
export * from './scaling-contract.js';
export * from './metric-sources.js';
export * from './label-selector-string.js';
export * from './engine-signal.js';
export * from './metric-answers.js';
export * from './autoscaler-status.js';
export * from './autoscaler-conflicts.js';
export * from './prefetch-plan.js';
export * from './sample-window.js';
export * from './remote-metric-reader.js';
export * from './resource-quantity.js';
export * from './resource-utilization.js';
export * from './time-bucket-window.js';
export * from './algorithm-input.js';
export * from './apa.js';
export * from './kpa.js';
export * from './kpa-panic.js';
export * from './hpa.js';
export * from './slo-scaling.js';
export * from './stabilization.js';
export * from './recommendation-history.js';
export * from './scaling-schedules.js';
export * from './source-recommendations.js';
export * from './decide-scale.js';
export * from './default-tunables.js';
export * from './go-duration.js';
export * from './autoscaler-tunables.js';
