import { describe, expect, it } from 'vitest';
import { hasCode } from '../../../src/shared/index.js';
import {
  contentRangeProblem,
  parseContentRange,
  parseHubRevision,
  rangeHeader,
  sameEtag,
  shardsOfSafetensorsIndex,
} from '../../../src/weights/index.js';

function thrownCode(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return hasCode(err, 'WEIGHTS_PATH_ESCAPE')
      ? 'WEIGHTS_PATH_ESCAPE'
      : String((err as { code?: string }).code);
  }
}

describe('byte ranges on the wire', () => {
  it('writes inclusive Range headers and reads Content-Range back as half-open', () => {
    expect(rangeHeader({ start: 0, end: 8 })).toBe('bytes=0-7');
    expect(parseContentRange('bytes 0-7/100')).toEqual({ start: 0, end: 8, total: 100 });
    expect(parseContentRange('bytes 5-9/*')).toEqual({ start: 5, end: 10, total: undefined });
  });

  it.each([undefined, 'bytes 9-5/100', 'bytes 0-100/100', 'items 0-1/2', 'bytes=0-1/2'])(
    'refuses %s',
    (header) => {
      expect(parseContentRange(header)).toBeUndefined();
    },
  );

  it.each([
    ['bytes 0-7/100', { start: 0, end: 8 }, 100, undefined],
    ['bytes 0-7/100', { start: 1, end: 8 }, 100, 'asked bytes 1-7, got 0-7'],
    ['bytes 0-7/99', { start: 0, end: 8 }, 100, 'the object is 99 bytes, listed as 100'],
  ])('checks %s against the range asked', (header, asked, size, problem) => {
    expect(contentRangeProblem(header, asked, size)).toBe(problem);
  });

  it('compares ETags weakly', () => {
    expect(sameEtag('W/"a"', '"a"')).toBe(true);
    expect(sameEtag('"a"', '"b"')).toBe(false);
    expect(sameEtag(undefined, '"a"')).toBe(false);
  });
});

describe('shardsOfSafetensorsIndex', () => {
  it('names each shard once, sorted', () => {
    const index = {
      weight_map: { a: 'm-2.safetensors', b: 'm-1.safetensors', c: 'm-2.safetensors' },
    };
    expect(shardsOfSafetensorsIndex(index)).toEqual(['m-1.safetensors', 'm-2.safetensors']);
  });

  it.each([
    [{}, 'WEIGHTS_SOURCE_FAILED'],
    [{ weight_map: [] }, 'WEIGHTS_SOURCE_FAILED'],
    [{ weight_map: {} }, 'WEIGHTS_SOURCE_FAILED'],
    [{ weight_map: { a: 3 } }, 'WEIGHTS_SOURCE_FAILED'],
    [{ weight_map: { a: '../../etc/passwd' } }, 'WEIGHTS_PATH_ESCAPE'],
  ])('refuses %j with %s', (index, code) => {
    expect(thrownCode(() => shardsOfSafetensorsIndex(index))).toBe(code);
  });
});

describe('parseHubRevision', () => {
  const sha = 'a'.repeat(40);
  const blobId = 'b'.repeat(40);
  const sha256 = 'c'.repeat(64);

  it('lists files with etags, keeps LFS sha256, drops .gitattributes and other weight formats', () => {
    const revision = parseHubRevision(
      {
        sha,
        siblings: [
          { rfilename: '.gitattributes', size: 10, blobId },
          {
            rfilename: 'model.safetensors',
            size: 100,
            blobId,
            lfs: { sha256, size: 100, pointerSize: 130 },
          },
          {
            rfilename: 'pytorch_model.bin',
            size: 100,
            blobId,
            lfs: { sha256, size: 100, pointerSize: 130 },
          },
          { rfilename: 'config.json', size: 5, blobId },
        ],
      },
      'hf://org/model@main',
    );
    expect(revision).toEqual({
      sha,
      files: [
        { path: 'config.json', size: 5, etag: `"${blobId}"` },
        { path: 'model.safetensors', size: 100, etag: `"${sha256}"`, sha256 },
      ],
    });
  });

  it('keeps .bin weights when the repo has no safetensors', () => {
    const revision = parseHubRevision(
      { sha, siblings: [{ rfilename: 'pytorch_model.bin', size: 1, blobId }] },
      'x',
    );
    expect(revision.files.map((f) => f.path)).toEqual(['pytorch_model.bin']);
  });

  it.each([
    [null, 'WEIGHTS_SOURCE_FAILED'],
    [{ sha: 'main', siblings: [] }, 'WEIGHTS_SOURCE_FAILED'],
    [{ sha, siblings: [{ rfilename: 'x' }] }, 'WEIGHTS_SOURCE_FAILED'],
    [{ sha, siblings: [{ rfilename: '../x', size: 1, blobId }] }, 'WEIGHTS_PATH_ESCAPE'],
    [{ sha, siblings: [{ rfilename: 'x', size: 1, blobId, lfs: {} }] }, 'WEIGHTS_SOURCE_FAILED'],
    [{ sha, siblings: [] }, 'WEIGHTS_NOT_FOUND'],
  ])('refuses %j with %s', (body, code) => {
    expect(thrownCode(() => parseHubRevision(body, 'hf://org/model@main'))).toBe(code);
  });
});
