export * from './tokenizer.js';
export * from './block-hash.js';
