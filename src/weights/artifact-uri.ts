/**
 * Artifact URIs → ArtifactRef. The canonical `uri` is the cache key's input, so two spellings of
 * one artifact (`S3://b/p`, `s3://b/p/`) must give the same text, and nothing ambiguous may pass:
 * a `..` segment, credentials in a URL, a bucket name S3 itself would refuse. Pure.
 *
 * Accepted: `s3://bucket/prefix` (prefix is a directory; canonical form ends in `/`),
 * `http(s)://host/path` (a path ending in `/` is a model directory, else one file),
 * `hf://org/model[@revision]` (revision defaults to `main`), `file:///abs/path`.
 */
import { posix } from 'node:path';
import { AppError } from '../shared/index.js';
import type { ArtifactRef } from './artifact.js';

/** Longest URI accepted, characters. */
export const MAX_ARTIFACT_URI_LENGTH = 2048;

const SCHEMES = ['s3', 'http', 'https', 'hf', 'file'] as const;

function badUri(text: string, why: string): AppError {
  return new AppError('WEIGHTS_BAD_URI', `artifact URI ${JSON.stringify(text)}: ${why}`, {
    httpStatus: 400,
  });
}

/**
 * Parses and normalizes an artifact URI.
 * @throws AppError WEIGHTS_UNSUPPORTED_SCHEME for a scheme other than s3, http, https, hf, file;
 * WEIGHTS_BAD_URI for anything malformed (with the reason in the message).
 */
export function parseArtifactUri(text: string): ArtifactRef {
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  if (text.length > MAX_ARTIFACT_URI_LENGTH)
    throw badUri(shown, `longer than ${MAX_ARTIFACT_URI_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\s\u0000-\u001f\u007f]/.test(text))
    throw badUri(shown, 'contains whitespace or a control character');
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(text);
  if (match === null) throw badUri(shown, 'expected scheme://…');
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = match[2] ?? '';
  if (!(SCHEMES as readonly string[]).includes(scheme))
    throw new AppError(
      'WEIGHTS_UNSUPPORTED_SCHEME',
      `artifact URI scheme "${scheme}" is not supported; use one of ${SCHEMES.join(', ')}`,
      { httpStatus: 400 },
    );
  switch (scheme) {
    case 's3':
      return parseS3(shown, rest);
    case 'hf':
      return parseHf(shown, rest);
    case 'file':
      return parseFile(shown, rest);
    default:
      return parseHttp(shown, `${scheme}://${rest}`);
  }
}

/** Why `name` is not a valid S3 bucket name (AWS general-purpose bucket rules), or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return 'may hold only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit';
  if (name.includes('..')) return 'must not hold two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  if (name.startsWith('xn--') || name.startsWith('sthree-')) return 'uses a reserved prefix';
  if (name.endsWith('-s3alias') || name.endsWith('--ol-s3')) return 'uses a reserved suffix';
  return undefined;
}

function checkSegments(shown: string, segments: readonly string[], what: string): void {
  for (const segment of segments) {
    if (segment === '') throw badUri(shown, `${what} has an empty segment ("//")`);
    if (segment === '.' || segment === '..')
      throw badUri(shown, `${what} has a "${segment}" segment`);
  }
}

function parseS3(shown: string, rest: string): ArtifactRef {
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) throw badUri(shown, `bucket "${bucket}" ${problem}`);
  const rawPrefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (rawPrefix.includes('?') || rawPrefix.includes('#'))
    throw badUri(shown, 'an s3 URI has no query or fragment');
  if (rawPrefix !== '') checkSegments(shown, rawPrefix.split('/'), 'the prefix');
  // The prefix names a directory: `models/llama` must not also list `models/llama-2/…`.
  const prefix = rawPrefix === '' ? '' : `${rawPrefix}/`;
  return { scheme: 's3', uri: `s3://${bucket}/${prefix}`, bucket, prefix };
}

const HUB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

function parseHf(shown: string, rest: string): ArtifactRef {
  const at = rest.indexOf('@');
  const repo = (at === -1 ? rest : rest.slice(0, at)).replace(/\/+$/, '');
  const revision = at === -1 ? 'main' : rest.slice(at + 1);
  const parts = repo.split('/');
  if (parts.length !== 2) throw badUri(shown, 'expected hf://org/model[@revision]');
  for (const part of parts) {
    if (!HUB_NAME.test(part) || part.includes('..') || part.includes('--') || part.endsWith('.'))
      throw badUri(shown, `"${part}" is not a valid hub org or model name`);
  }
  if (revision.length === 0 || revision.length > 255 || !/^[A-Za-z0-9._/-]+$/.test(revision))
    throw badUri(shown, `"${revision}" is not a valid revision`);
  checkSegments(shown, revision.split('/'), 'the revision');
  return { scheme: 'hf', uri: `hf://${repo}@${revision}`, repo, revision };
}

function parseFile(shown: string, rest: string): ArtifactRef {
  // file://localhost/abs is the same as file:///abs (RFC 8089); any other host is remote.
  const path = rest.startsWith('localhost/') ? rest.slice('localhost'.length) : rest;
  if (!path.startsWith('/')) throw badUri(shown, 'expected file:///absolute/path');
  if (path.includes('?') || path.includes('#'))
    throw badUri(shown, 'a file URI has no query or fragment');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw badUri(shown, 'bad percent-encoding');
  }
  if (decoded.includes('\u0000')) throw badUri(shown, 'contains NUL');
  const trimmed = decoded.length > 1 ? decoded.replace(/\/+$/, '') : decoded;
  checkSegments(shown, trimmed.split('/').slice(1), 'the path');
  const normalized = posix.normalize(trimmed);
  return { scheme: 'file', uri: `file://${encodeURI(normalized)}`, path: normalized };
}

function parseHttp(shown: string, text: string): ArtifactRef {
  // Dot segments are refused before WHATWG URL parsing would silently resolve them.
  const pathStart = text.indexOf('/', text.indexOf('//') + 2);
  const rawPath = pathStart === -1 ? '' : text.slice(pathStart).split(/[?#]/)[0];
  if (rawPath !== undefined && /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rawPath))
    throw badUri(shown, 'the path has a "." or ".." segment');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUri(shown, 'not a valid URL');
  }
  if (url.hostname === '') throw badUri(shown, 'no host');
  if (url.username !== '' || url.password !== '')
    throw badUri(shown, 'credentials in the URL are refused; configure them instead');
  url.hash = '';
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  return { scheme, uri: url.href, url };
}
