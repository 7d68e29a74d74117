import { describe, expect, it } from 'vitest';
import { adapterNameProblem } from '../../../src/lora/lora-names.js';

describe('adapter names', () => {
  it.each(['sql-lora', 'llama2.sft_v1', 'A', 'x'.repeat(128)])('accepts %s', (name) => {
    expect(adapterNameProblem(name, 'llama-2-7b')).toBeUndefined();
  });

  it.each([
    ['empty', '', /1–128/],
    ['too long', 'x'.repeat(129), /1–128/],
    ['a slash', 'org/name', /only letters/],
    ['a space', 'my lora', /only letters/],
    ['a dot-dot', '..', /not allowed/],
    ['a single dot', '.', /not allowed/],
    ['the base model', 'llama-2-7b', /base model/],
  ])('refuses %s', (_what, name, message) => {
    expect(adapterNameProblem(name, 'llama-2-7b')).toMatch(message);
  });

  it('takes the base model into account only when given', () => {
    expect(adapterNameProblem('llama-2-7b')).toBeUndefined();
  });
});
