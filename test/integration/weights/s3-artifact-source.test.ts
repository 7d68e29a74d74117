import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArtifactUri, type ArtifactFile } from '../../../src/weights/index.js';
import { createS3Client, S3ArtifactSource } from '../../../src/weights/adapters/index.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3TestServer } from '../../helpers/s3-server.js';
import { safetensorsBytes } from '../../helpers/safetensors-file.js';
import { codeOf, readAll } from './read-all.js';

describe('S3ArtifactSource against s3rver', () => {
  let s3: S3TestServer;
  let client: S3Client;
  const weights = safetensorsBytes({ totalBytes: 400_000, seed: 3 });
  const signal = new AbortController().signal;

  beforeEach(async () => {
    s3 = await startS3Server({ buckets: ['models'] });
    client = await createS3Client({ ...s3.settings, headersTimeoutMs: 5_000 });
  });
  afterEach(async () => {
    client.destroy();
    await s3.close();
  });

  const sourceFor = (uri: string, maxFiles?: number): S3ArtifactSource => {
    const ref = parseArtifactUri(uri);
    if (ref.scheme !== 's3') throw new Error('not s3');
    return new S3ArtifactSource(ref, client, {
      bodyIdleTimeoutMs: 1_000,
      ...(maxFiles === undefined ? {} : { maxFiles }),
    });
  };

  it('lists the objects under the prefix with sizes and ETags, and not a sibling prefix', async () => {
    const etags = new Map<string, string | undefined>();
    for (const name of ['config.json', 'model.safetensors', 'sub/tokenizer.json'])
      etags.set(name, await s3.putObject('models', `llama/${name}`, `{"name":"${name}"}`));
    await s3.putObject('models', 'llama/', '');
    await s3.putObject('models', 'llama-2/other.json', '{}');
    const listing = await sourceFor('s3://models/llama').list(signal);
    expect(listing.files).toEqual(
      [...etags].map(([path, etag]) => ({ path, size: `{"name":"${path}"}`.length, etag })),
    );
  });

  it('refuses a listing past maxFiles and answers WEIGHTS_NOT_FOUND for an empty prefix', async () => {
    for (const name of ['a', 'b', 'c']) await s3.putObject('models', `small/${name}`, name);
    expect(await codeOf(sourceFor('s3://models/small/', 2).list(signal))).toBe(
      'WEIGHTS_SOURCE_FAILED',
    );
    expect(await codeOf(sourceFor('s3://models/nothing/').list(signal))).toBe('WEIGHTS_NOT_FOUND');
  });

  describe('ranged reads', () => {
    let file: ArtifactFile;
    beforeEach(async () => {
      await s3.putObject('models', 'llama/model.safetensors', weights);
      [file] = (await sourceFor('s3://models/llama/').list(signal)).files as [ArtifactFile];
    });

    it.each([
      ['first', 0, 8192],
      ['middle', 123_456, 223_457],
      ['last', 399_999, 400_000],
    ])(
      'reads the exact bytes of the %s range, with IfMatch on the listed ETag',
      async (_n, start, end) => {
        const bytes = await readAll(
          await sourceFor('s3://models/llama/').readRange(file, { start, end }, signal),
        );
        expect(bytes.equals(weights.subarray(start, end))).toBe(true);
        expect(s3.requests.at(-1)?.range).toBe(`bytes=${start}-${end - 1}`);
        expect(s3.getCount('models', 'llama/model.safetensors')).toBe(1);
      },
    );

    it('refuses an object overwritten after listing as WEIGHTS_SOURCE_CHANGED', async () => {
      await s3.putObject(
        'models',
        'llama/model.safetensors',
        safetensorsBytes({ totalBytes: 400_000, seed: 4 }),
      );
      const read = sourceFor('s3://models/llama/').readRange(file, { start: 0, end: 1000 }, signal);
      expect(await codeOf(read)).toBe('WEIGHTS_SOURCE_CHANGED');
    });

    it('answers WEIGHTS_NOT_FOUND for a deleted object', async () => {
      await s3.deleteObject('models', 'llama/model.safetensors');
      expect(
        await codeOf(
          sourceFor('s3://models/llama/').readRange(file, { start: 0, end: 10 }, signal),
        ),
      ).toBe('WEIGHTS_NOT_FOUND');
    });

    it.each([
      [500, 'WEIGHTS_SOURCE_FAILED'],
      [503, 'WEIGHTS_SOURCE_FAILED'],
      [403, 'WEIGHTS_UNAUTHORIZED'],
      [412, 'WEIGHTS_SOURCE_CHANGED'],
    ])('maps status %i to %s (one attempt, no SDK retry)', async (status, code) => {
      s3.fault({ path: 'models/llama/model.safetensors', kind: 'status', status });
      expect(
        await codeOf(
          sourceFor('s3://models/llama/').readRange(file, { start: 0, end: 10 }, signal),
        ),
      ).toBe(code);
      expect(s3.getCount('models', 'llama/model.safetensors')).toBe(1);
    });

    it('maps a connection reset to WEIGHTS_SOURCE_FAILED', async () => {
      s3.fault({ path: 'models/llama/model.safetensors', kind: 'reset' });
      expect(
        await codeOf(
          sourceFor('s3://models/llama/').readRange(file, { start: 0, end: 10 }, signal),
        ),
      ).toBe('WEIGHTS_SOURCE_FAILED');
    });
  });

  it('maps wrong credentials to WEIGHTS_UNAUTHORIZED', async () => {
    const wrong = await createS3Client({
      ...s3.settings,
      credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' },
    });
    try {
      const ref = parseArtifactUri('s3://models/llama/');
      if (ref.scheme !== 's3') throw new Error('not s3');
      expect(await codeOf(new S3ArtifactSource(ref, wrong).list(signal))).toBe(
        'WEIGHTS_UNAUTHORIZED',
      );
    } finally {
      wrong.destroy();
    }
  });
});
