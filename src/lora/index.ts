/**
 * The LoRA room: adapter placement (pure), the ModelAdapter controller (leader) and the agent's
 * adapter manager grow here (DESIGN.md §3). Today it holds the ModelAdapter resource's types.
 *
 * Decision code: pure, no I/O (lint-enforced); adapters go in `adapters/` behind their own
 * entry. May import `shared`, `engine`, `discovery` (resource shapes) and `controllers`.
 */
export * from './model-adapter.js';
export * from './lora-commands.js';
export * from './placement-contract.js';
export * from './adapter-want.js';
export * from './adapter-status-write.js';
export * from './adapter-candidates.js';
export * from './placement-policies.js';
export * from './lora-retry.js';
export * from './adapter-placement.js';
export * from './adapter-status.js';
export * from './adapter-plan.js';
