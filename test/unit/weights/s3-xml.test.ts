import { describe, expect, it } from 'vitest';
import {
  escapeXml,
  quoteEtag,
  renderListObjectsV2,
  renderS3Error,
  urlEncodeKey,
} from '../../../src/weights/index.js';

const page = {
  bucket: 'models',
  prefix: 'm/',
  delimiter: '/',
  maxKeys: 2,
  startAfter: '',
  continuationToken: '',
  contents: [{ key: 'm/a&b <c>.json', size: 7, etag: 'e1', lastModifiedMs: Date.UTC(2025, 0, 1) }],
  commonPrefixes: ['m/sub/'],
  isTruncated: true,
  nextContinuationToken: 'tok',
  urlEncoded: false,
};

describe('S3 XML', () => {
  it('escapes markup and characters XML 1.0 cannot carry', () => {
    expect(escapeXml(`a&b<c>"d"'e'`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;');
    expect(escapeXml('x\u0001y\tz')).toBe('x&#x1;y\tz');
    expect(escapeXml('\uD800')).toBe('&#xD800;');
    expect(escapeXml('ok 😀')).toBe('ok 😀');
  });

  it('url-encodes keys like S3 (slashes kept, space %20)', () => {
    expect(urlEncodeKey("a b/c+d!(e)*'é")).toBe('a%20b/c%2Bd%21%28e%29%2A%27%C3%A9');
  });

  it('quotes an ETag once', () => {
    expect(quoteEtag('abc')).toBe('"abc"');
    expect(quoteEtag('"abc"')).toBe('"abc"');
  });

  it('renders a ListObjectsV2 page with escaped keys, prefixes and the next token', () => {
    const xml = renderListObjectsV2(page);
    expect(xml).toContain('<Key>m/a&amp;b &lt;c&gt;.json</Key>');
    expect(xml).toContain('<ETag>&quot;e1&quot;</ETag>');
    expect(xml).toContain('<LastModified>2025-01-01T00:00:00.000Z</LastModified>');
    expect(xml).toContain('<CommonPrefixes><Prefix>m/sub/</Prefix></CommonPrefixes>');
    expect(xml).toContain('<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>');
    expect(xml).toContain('<NextContinuationToken>tok</NextContinuationToken>');
    expect(xml).not.toContain('EncodingType');
  });

  it('url-encodes keys, prefixes and the delimiter when asked', () => {
    const xml = renderListObjectsV2({ ...page, urlEncoded: true });
    expect(xml).toContain('<EncodingType>url</EncodingType>');
    expect(xml).toContain('<Key>m/a%26b%20%3Cc%3E.json</Key>');
  });

  it('renders an S3 error document', () => {
    const xml = renderS3Error(
      { code: 'NoSuchKey', message: 'gone', resource: '/b/k<', extra: { Key: 'k<' } },
      'REQ1',
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>gone</Message>' +
        '<Key>k&lt;</Key><Resource>/b/k&lt;</Resource><RequestId>REQ1</RequestId></Error>',
    );
  });
});
