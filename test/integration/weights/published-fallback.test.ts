import { describe, expect, it } from 'vitest';
import { withPublishedFallback } from '../../../src/weights/adapters/published-fallback.js';

const enoent = (): Error => Object.assign(new Error('ENOENT: gone'), { code: 'ENOENT' });

async function* pieces(list: string[], failWith?: () => Error): AsyncGenerator<Uint8Array> {
  for (const p of list) yield await Promise.resolve(Buffer.from(p));
  if (failWith !== undefined) throw failWith();
}

async function text(iterable: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const p of iterable) out += Buffer.from(p).toString();
  return out;
}

describe('withPublishedFallback (a stream read racing the publish rename)', () => {
  it('passes the streamed pieces through and never asks for the published copy', async () => {
    let asked = 0;
    const out = withPublishedFallback(pieces(['ab', 'cd']), () => {
      asked += 1;
      return Promise.resolve(pieces(['xx']));
    });
    expect(await text(out)).toBe('abcd');
    expect(asked).toBe(0);
  });

  it('answers from the published copy when the staging file vanished before the first piece', async () => {
    const out = withPublishedFallback(pieces([], enoent), () =>
      Promise.resolve(pieces(['pub', 'lished'])),
    );
    expect(await text(out)).toBe('published');
  });

  it('rethrows ENOENT when nothing is published, and after bytes were yielded', async () => {
    await expect(text(withPublishedFallback(pieces([], enoent), () => undefined))).rejects.toThrow(
      'ENOENT',
    );
    const late = withPublishedFallback(pieces(['ab'], enoent), () =>
      Promise.resolve(pieces(['xx'])),
    );
    await expect(text(late)).rejects.toThrow('ENOENT');
  });

  it('rethrows any other error as it was', async () => {
    const out = withPublishedFallback(
      pieces([], () => new Error('disk on fire')),
      () => Promise.resolve(pieces(['xx'])),
    );
    await expect(text(out)).rejects.toThrow('disk on fire');
  });
});
