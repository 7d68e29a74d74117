/**
 * The autoscaling room: HPA, KPA and APA (pure), metric windows and the PodAutoscaler controller
 * grow here (DESIGN.md §3). Today it holds the PodAutoscaler resource's types.
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
