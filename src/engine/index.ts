export * from './tokenizer.js';
export * from './prometheus-text.js';
export * from './engine-metrics.js';
export * from './vllm-dialect.js';
export * from './llamacpp-dialect.js';
