import { describe, expect, it } from 'vitest';
import {
  MIXED_LABEL,
  OTHER_LABEL,
  modelLabel,
  strategyLabel,
} from '../../../src/gateway/metric-labels.js';

describe('strategyLabel', () => {
  const mix = 'prefix-cache:3,least-request:1';

  it('keeps registered strategy and composite names', () => {
    expect(strategyLabel('least-request', mix)).toBe('least-request');
    expect(strategyLabel(' random ', mix)).toBe('random');
    expect(strategyLabel('auto', mix)).toBe('auto');
  });

  it('labels the configured default mix as configured, however it is spaced', () => {
    expect(strategyLabel(mix, mix)).toBe(mix);
    expect(strategyLabel('prefix-cache:3, least-request:1', mix)).toBe(mix);
  });

  it('folds every other valid weighted list into one label', () => {
    expect(strategyLabel('prefix-cache:1,least-request:7', mix)).toBe(MIXED_LABEL);
    expect(strategyLabel('random:2', mix)).toBe(MIXED_LABEL);
  });

  it('folds anything invalid into other', () => {
    expect(strategyLabel('fastest', mix)).toBe(OTHER_LABEL);
    expect(strategyLabel('random:-1', mix)).toBe(OTHER_LABEL);
    expect(strategyLabel('', mix)).toBe(OTHER_LABEL);
  });

  it('gives a bounded set of values for 5,000 distinct client spellings', () => {
    const labels = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      labels.add(strategyLabel(`strategy-${i}`, mix));
      labels.add(strategyLabel(`random:${i},least-request:1`, mix));
    }
    expect([...labels].sort()).toEqual([MIXED_LABEL, OTHER_LABEL]);
  });
});

describe('modelLabel', () => {
  const known = new Set(['llama', 'llama-sql-lora']);
  const isKnown = (m: string): boolean => known.has(m);

  it('keeps models and adapters the catalog knows, and folds the rest into other', () => {
    expect(modelLabel('llama', isKnown)).toBe('llama');
    expect(modelLabel('llama-sql-lora', isKnown)).toBe('llama-sql-lora');
    expect(modelLabel('gpt-17', isKnown)).toBe(OTHER_LABEL);
  });
});
