/**
 * SigV4's canonical forms, as AWS's signing rules define them: its URI encoding, the canonical
 * query, header values and path, the signing key, and the X-Amz-Date format. The verifier
 * (sigv4-verify.ts) builds the canonical request from them.
 */
import { createHmac } from 'node:crypto';

/** Splits a raw query into decoded [name, value] pairs in their order. */
export function queryPairs(rawQuery: string): [string, string][] {
  if (rawQuery === '') return [];
  return rawQuery.split('&').map((part) => {
    const at = part.indexOf('=');
    const name = at < 0 ? part : part.slice(0, at);
    const value = at < 0 ? '' : part.slice(at + 1);
    return [safeDecode(name), safeDecode(value)];
  });
}

/** `decodeURIComponent`, or the text as it is when it does not decode. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** SigV4's URI encoding: every byte but A-Z a-z 0-9 - _ . ~, uppercase hex. */
export function sigV4Encode(text: string, keepSlash = false): string {
  const encoded = encodeURIComponent(text).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/** `20130524T000000Z` → epoch ms, or undefined. */
export function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The canonical query: decoded pairs re-encoded, sorted; a presigned URL's own signature left out. */
export function canonicalQuery(rawQuery: string, presigned: boolean): string {
  return queryPairs(rawQuery)
    .filter(([name]) => !(presigned && name === 'X-Amz-Signature'))
    .map(([name, value]) => [sigV4Encode(name), sigV4Encode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** A header's canonical value: repeated values joined by commas, runs of spaces as one. */
export function canonicalHeaderValue(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  name: string,
): string {
  const value = headers[name];
  const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/**
 * The canonical paths to try: the path as received, then (when it differs) decoded and
 * re-encoded by the SigV4 rules, for a client that escaped fewer characters than SigV4 does.
 */
export function canonicalPaths(rawPath: string): string[] {
  const reencoded = rawPath
    .split('/')
    .map((segment) => sigV4Encode(safeDecode(segment)))
    .join('/');
  return reencoded === rawPath ? [rawPath] : [rawPath, reencoded];
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The SigV4 signing key for one day, region and service. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}
