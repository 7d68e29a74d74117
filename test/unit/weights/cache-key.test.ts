import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { artifactCacheKey, isArtifactCacheKey } from '../../../src/weights/index.js';

describe('artifactCacheKey', () => {
  it.each([
    ['s3://models/llama-3-8b', /^s3-models-llama-3-8b-[0-9a-f]{12}$/],
    ['hf://meta-llama/Llama-3.1-8B@main', /^hf-meta-llama-llama-3.1-8b-main-[0-9a-f]{12}$/],
    ['https://example.com/m/a%20b', /^https-example.com-m-a-20b-[0-9a-f]{12}$/],
    ['file:///srv/models/../etc', /^file-srv-models-..-etc-[0-9a-f]{12}$/],
  ])('%s reads as its slug plus a hash', (uri, shape) => {
    expect(artifactCacheKey(uri)).toMatch(shape);
  });

  it('gives different keys to URIs whose slugs collide', () => {
    expect(artifactCacheKey('s3://a/b-c')).not.toBe(artifactCacheKey('s3://a/b/c'));
    expect(artifactCacheKey('s3://a/B')).not.toBe(artifactCacheKey('s3://a/b'));
  });

  it('cuts a long slug and keeps the hash', () => {
    const key = artifactCacheKey(`s3://bucket/${'x'.repeat(500)}`);
    expect(key.length).toBe(93);
    expect(isArtifactCacheKey(key)).toBe(true);
  });

  it('is one safe directory name for any URI, and the same each time', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (uri) => {
        const key = artifactCacheKey(uri);
        expect(key).toMatch(/^[a-z0-9._-]{12,93}$/);
        expect(key).not.toMatch(/^\.|\.$/);
        expect(isArtifactCacheKey(key)).toBe(true);
        expect(artifactCacheKey(uri)).toBe(key);
      }),
    );
  });

  it.each(['', '.', '..', 'a/b-0123456789ab', '../0123456789ab', 'x-0123456789AB'])(
    'isArtifactCacheKey refuses %j',
    (text) => expect(isArtifactCacheKey(text)).toBe(false),
  );
});
