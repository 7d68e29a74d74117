import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../../src/shared/index.js';
import { bucketNameProblem, parseArtifactUri } from '../../../src/weights/index.js';

function codeOf(text: string): string {
  try {
    parseArtifactUri(text);
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('parseArtifactUri', () => {
  it.each([
    [
      's3://models/llama-3/8b',
      { scheme: 's3', uri: 's3://models/llama-3/8b/', bucket: 'models', prefix: 'llama-3/8b/' },
    ],
    [
      'S3://models/llama//',
      { scheme: 's3', uri: 's3://models/llama/', bucket: 'models', prefix: 'llama/' },
    ],
    ['s3://models', { scheme: 's3', uri: 's3://models/', bucket: 'models', prefix: '' }],
    [
      's3://models/llama/',
      { scheme: 's3', uri: 's3://models/llama/', bucket: 'models', prefix: 'llama/' },
    ],
    [
      'hf://meta-llama/Llama-3.1-8B',
      {
        scheme: 'hf',
        uri: 'hf://meta-llama/Llama-3.1-8B@main',
        repo: 'meta-llama/Llama-3.1-8B',
        revision: 'main',
      },
    ],
    [
      'hf://org/model@refs/pr/1',
      { scheme: 'hf', uri: 'hf://org/model@refs/pr/1', repo: 'org/model', revision: 'refs/pr/1' },
    ],
    [
      'file:///var/lib/models/llama/',
      { scheme: 'file', uri: 'file:///var/lib/models/llama', path: '/var/lib/models/llama' },
    ],
    ['file://localhost/srv/m%20x', { scheme: 'file', uri: 'file:///srv/m%20x', path: '/srv/m x' }],
  ])('parses %s', (text, expected) => {
    expect(parseArtifactUri(text)).toEqual(expected);
  });

  it('parses http(s) URLs to a canonical href without the fragment', () => {
    const ref = parseArtifactUri('HTTPS://Models.Example.com:443/llama/?sig=1#frag');
    expect(ref).toMatchObject({ scheme: 'https', uri: 'https://models.example.com/llama/?sig=1' });
  });

  it.each([
    ['gs://bucket/x', 'WEIGHTS_UNSUPPORTED_SCHEME'],
    ['ftp://host/x', 'WEIGHTS_UNSUPPORTED_SCHEME'],
    ['models/llama', 'WEIGHTS_BAD_URI'],
    ['s3://Bad_Bucket/x', 'WEIGHTS_BAD_URI'],
    ['s3://ab/x', 'WEIGHTS_BAD_URI'],
    ['s3://192.168.1.1/x', 'WEIGHTS_BAD_URI'],
    ['s3://models/a/../b', 'WEIGHTS_BAD_URI'],
    ['s3://models/a/./b', 'WEIGHTS_BAD_URI'],
    ['hf://just-a-name', 'WEIGHTS_BAD_URI'],
    ['hf://org/model/extra', 'WEIGHTS_BAD_URI'],
    ['hf://org/mo--del', 'WEIGHTS_BAD_URI'],
    ['hf://org/model@', 'WEIGHTS_BAD_URI'],
    ['hf://org/model@a/../b', 'WEIGHTS_BAD_URI'],
    ['file://relative/path', 'WEIGHTS_BAD_URI'],
    ['file:///models/../etc', 'WEIGHTS_BAD_URI'],
    ['file:///models/%2e%2e/etc', 'WEIGHTS_BAD_URI'],
    ['file:///models/a%00b', 'WEIGHTS_BAD_URI'],
    ['http://user:pass@host/x', 'WEIGHTS_BAD_URI'],
    ['http://host/a/../b', 'WEIGHTS_BAD_URI'],
    ['http://host/a/%2E%2E/b', 'WEIGHTS_BAD_URI'],
    ['http://host/a b', 'WEIGHTS_BAD_URI'],
    [`s3://models/${'a'.repeat(3000)}`, 'WEIGHTS_BAD_URI'],
  ])('refuses %s with %s', (text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  it('gives the same canonical uri to equivalent spellings, and parsing the canonical uri is a fixed point', () => {
    const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,8}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.nat(3),
        (segments, slashes) => {
          const path = segments.join('/');
          const a = parseArtifactUri(`s3://models/${path}${'/'.repeat(slashes)}`);
          const b = parseArtifactUri(`S3://models/${path}`);
          expect(a.uri).toBe(b.uri);
          expect(parseArtifactUri(a.uri)).toEqual(a);
          const f = parseArtifactUri(`file:///${path}${'/'.repeat(slashes)}`);
          expect(parseArtifactUri(f.uri)).toEqual(f);
        },
      ),
    );
  });

  it('never throws anything but a WEIGHTS_BAD_URI or WEIGHTS_UNSUPPORTED_SCHEME AppError', () => {
    const scheme = fc.constantFrom('s3://', 'hf://', 'file://', 'http://', 'https://', 'x://', '');
    fc.assert(
      fc.property(scheme, fc.string({ maxLength: 80 }), (prefix, rest) => {
        try {
          const ref = parseArtifactUri(prefix + rest);
          // Whatever parses holds no dot segment in its canonical form.
          expect(ref.uri.split(/[/?#]/).slice(3)).not.toContain('..');
        } catch (err) {
          expect(
            hasCode(err, 'WEIGHTS_BAD_URI') || hasCode(err, 'WEIGHTS_UNSUPPORTED_SCHEME'),
          ).toBe(true);
        }
      }),
    );
  });
});

describe('bucketNameProblem', () => {
  it.each(['models', 'my.models-01', 'a1b'])('accepts %s', (name) =>
    expect(bucketNameProblem(name)).toBeUndefined(),
  );
  it.each([
    'Models',
    '-models',
    'models-',
    'a..b',
    'xn--abc',
    'abc-s3alias',
    '1.2.3.4',
    'ab',
    'a'.repeat(64),
  ])('refuses %s', (name) => expect(bucketNameProblem(name)).toBeDefined());
});
