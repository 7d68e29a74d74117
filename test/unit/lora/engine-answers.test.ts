import { describe, expect, it } from 'vitest';
import { engineMessage, mapLoadAnswer, mapUnloadAnswer } from '../../../src/lora/engine-answers.js';
import { AppError } from '../../../src/shared/index.js';

const vllm = (message: string, code: number): string =>
  JSON.stringify({ error: { message, type: 'BadRequestError', param: null, code } });

function codeOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return { code: (err as AppError).code, message: (err as AppError).message };
  }
  throw new Error('expected an AppError');
}

describe('engine answers to LoRA calls', () => {
  it('finds the message in vLLM, older vLLM, SGLang and plain-text answers', () => {
    expect(engineMessage(vllm('boom', 400))).toBe('boom');
    expect(engineMessage(JSON.stringify({ message: 'old shape', object: 'error' }))).toBe(
      'old shape',
    );
    expect(engineMessage(JSON.stringify({ success: false, error_message: 'sg' }))).toBe('sg');
    expect(engineMessage('Success: LoRA adapter loaded')).toBe('Success: LoRA adapter loaded');
    expect(engineMessage('x'.repeat(600))).toHaveLength(501);
  });

  it.each([
    [200, 'Success: LoRA adapter sql loaded successfully.', 'loaded'],
    [200, JSON.stringify({ success: true }), 'loaded'],
    [400, vllm("The lora adapter 'sql' has already been loaded.", 400), 'already-loaded'],
  ])('load %i %s → %s', (status, body, outcome) => {
    expect(mapLoadAnswer('sql', status, body)).toBe(outcome);
  });

  it.each([
    [
      400,
      vllm('LoRA is not enabled. Use --enable-lora to enable LoRA.', 400),
      'LORA_ENGINE_REFUSED',
    ],
    [404, vllm('Loading lora sql failed: No adapter found for /x', 404), 'LORA_ENGINE_REFUSED'],
    [400, vllm('LoRA rank 64 is greater than max_lora_rank 16.', 400), 'LORA_RANK_TOO_HIGH'],
    [400, vllm('No free adapter slots.', 400), 'LORA_NO_SLOT'],
    [400, vllm('No free lora slots', 400), 'LORA_NO_SLOT'],
    [200, JSON.stringify({ success: false, error_message: 'bad shapes' }), 'LORA_ENGINE_REFUSED'],
    [500, 'Internal Server Error', 'LORA_ENGINE_UNAVAILABLE'],
    [503, vllm('overloaded', 503), 'LORA_ENGINE_UNAVAILABLE'],
  ])('load %i %s fails with %s, keeping the engine message', (status, body, code) => {
    const err = codeOf(() => mapLoadAnswer('sql', status, body));
    expect(err.code).toBe(code);
    expect(err.message).toContain(engineMessage(body));
  });

  it.each([
    [200, 'Success: LoRA adapter sql removed successfully.', 'unloaded'],
    [404, vllm("The lora adapter 'sql' cannot be found.", 404), 'not-loaded'],
  ])('unload %i %s → %s', (status, body, outcome) => {
    expect(mapUnloadAnswer('sql', status, body)).toBe(outcome);
  });

  it.each([
    [
      400,
      vllm("'lora_name' needs to be provided to unload a LoRA adapter.", 400),
      'LORA_ENGINE_REFUSED',
    ],
    [502, 'bad gateway', 'LORA_ENGINE_UNAVAILABLE'],
  ])('unload %i fails with %s', (status, body, code) => {
    expect(codeOf(() => mapUnloadAnswer('sql', status, body)).code).toBe(code);
  });
});
