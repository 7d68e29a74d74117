import { describe, expect, it } from 'vitest';
import {
  decodeContinuationToken,
  encodeContinuationToken,
  ListPageBuilder,
  parseListQuery,
  type ListPageResult,
  type ObjectSummary,
} from '../../../src/weights/index.js';

const keys = ['a/1', 'a/2', 'a/d/x', 'a/d/y', 'a/e/z', 'a/f', 'b/1'];
const summaries: ObjectSummary[] = keys.map((key) => ({
  key,
  size: 1,
  etag: 'e',
  lastModifiedMs: 0,
}));

/** Cuts one page the way the server does, feeding keys in batches of `batch`. */
function page(query: string, batch = 2): ListPageResult {
  const parsed = parseListQuery(new URLSearchParams(query));
  if (!parsed.ok) throw new Error(parsed.error.message);
  const builder = new ListPageBuilder(parsed.request);
  for (;;) {
    const rest = summaries.filter(
      (s) => s.key > builder.cursor && s.key.startsWith(parsed.request.prefix),
    );
    if (builder.add(rest.slice(0, batch)) || rest.length <= batch) break;
  }
  return builder.finish();
}

/** Every entry over all pages, following the tokens. */
function walk(query: string): { entries: string[]; pages: number } {
  const entries: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const result = page(token === '' ? query : `${query}&continuation-token=${token}`);
    pages++;
    entries.push(...result.contents.map((c) => c.key), ...result.commonPrefixes);
    token = result.nextContinuationToken ?? '';
    expect(result.isTruncated).toBe(token !== '');
  } while (token !== '');
  return { entries, pages };
}

describe('ListObjectsV2 paging', () => {
  it('rolls keys under the delimiter into common prefixes', () => {
    const result = page('prefix=a/&delimiter=/');
    expect(result.contents.map((c) => c.key)).toEqual(['a/1', 'a/2', 'a/f']);
    expect(result.commonPrefixes).toEqual(['a/d/', 'a/e/']);
    expect(result.isTruncated).toBe(false);
  });

  it('pages every key exactly once, whatever the page size', () => {
    for (const max of [1, 2, 3, 7, 1000]) {
      expect(walk(`max-keys=${max}`).entries).toEqual(keys);
    }
    expect(walk('max-keys=3').pages).toBe(3);
  });

  it('never repeats a common prefix on the next page', () => {
    const { entries } = walk('prefix=a/&delimiter=/&max-keys=1');
    expect(entries).toEqual(['a/1', 'a/2', 'a/d/', 'a/e/', 'a/f']);
  });

  it('is not truncated when the last entry fills the page exactly', () => {
    const result = page('prefix=a/&delimiter=/&max-keys=5');
    expect(result.isTruncated).toBe(false);
    expect(result.nextContinuationToken).toBeUndefined();
  });

  it('starts after start-after, and a token wins over it', () => {
    expect(page('start-after=a/f').contents.map((c) => c.key)).toEqual(['b/1']);
    const token = encodeContinuationToken({ after: 'a/d/y', skipPrefix: '' });
    expect(page(`start-after=a/f&continuation-token=${token}`).contents.map((c) => c.key)).toEqual([
      'a/e/z',
      'a/f',
      'b/1',
    ]);
  });

  it('round-trips tokens and refuses foreign ones', () => {
    const resume = { after: 'x/é', skipPrefix: 'x/' };
    expect(decodeContinuationToken(encodeContinuationToken(resume))).toEqual(resume);
    expect(decodeContinuationToken('not a token')).toBeUndefined();
    expect(decodeContinuationToken(Buffer.from('[1]').toString('base64url'))).toBeUndefined();
  });

  it.each([
    ['max-keys=-1', 'max-keys'],
    ['max-keys=abc', 'max-keys'],
    ['encoding-type=base64', 'encoding-type'],
    ['continuation-token=zzz', 'continuation-token'],
  ])('refuses %s with InvalidArgument', (query, name) => {
    const parsed = parseListQuery(new URLSearchParams(query));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('InvalidArgument');
      expect(parsed.error.extra?.ArgumentName).toBe(name);
    }
  });

  it('caps max-keys at 1000', () => {
    const parsed = parseListQuery(new URLSearchParams('max-keys=5000'));
    expect(parsed.ok && parsed.request.maxKeys).toBe(1000);
  });
});
