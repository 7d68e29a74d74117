import { describe, expect, it } from 'vitest';
import { parseAdapterConfig } from '../../../src/lora/adapter-config.js';
import { AppError } from '../../../src/shared/index.js';

const valid = {
  peft_type: 'LORA',
  r: 16,
  lora_alpha: 32,
  target_modules: ['q_proj', 'v_proj'],
  base_model_name_or_path: 'meta-llama/Llama-2-7b-hf',
};

function problem(config: unknown): string {
  try {
    parseAdapterConfig(typeof config === 'string' ? config : JSON.stringify(config));
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('LORA_BAD_ADAPTER');
    return (err as AppError).message;
  }
  throw new Error('expected LORA_BAD_ADAPTER');
}

describe('adapter_config.json', () => {
  it('reads rank, alpha, target modules and base model of a PEFT LoRA config', () => {
    expect(parseAdapterConfig(JSON.stringify(valid))).toEqual({
      rank: 16,
      alpha: 32,
      targetModules: ['q_proj', 'v_proj'],
      baseModelNameOrPath: 'meta-llama/Llama-2-7b-hf',
    });
  });

  it('accepts peft_type in any case, a string of target modules and no alpha', () => {
    const rest = { peft_type: 'LORA', r: 16 };
    expect(
      parseAdapterConfig(
        JSON.stringify({ ...rest, peft_type: 'lora', target_modules: 'all-linear' }),
      ),
    ).toEqual({ rank: 16, targetModules: ['all-linear'] });
  });

  it.each([
    ['not JSON', '{"r": 8', /not JSON/],
    ['an array', [1, 2], /JSON object/],
    ['no peft_type', { ...valid, peft_type: undefined }, /peft_type is missing/],
    ['another PEFT method', { ...valid, peft_type: 'PREFIX_TUNING' }, /only "LORA"/],
    ['rank zero', { ...valid, r: 0 }, /positive integer/],
    ['fractional rank', { ...valid, r: 8.5 }, /positive integer/],
    ['rank as a string', { ...valid, r: '8' }, /positive integer/],
    ['alpha not a number', { ...valid, lora_alpha: 'x' }, /lora_alpha/],
    ['no target modules', { ...valid, target_modules: undefined }, /target_modules/],
    ['empty target modules', { ...valid, target_modules: [] }, /target_modules/],
    ['non-string target module', { ...valid, target_modules: ['q_proj', 3] }, /target_modules/],
  ])('refuses %s with a message naming the problem', (_what, config, message) => {
    expect(problem(config)).toMatch(message);
  });
});
