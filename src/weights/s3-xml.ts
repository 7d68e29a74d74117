/**
 * The XML bodies of the read-through S3 endpoint: ListObjectsV2 and GetBucketLocation answers,
 * and the text escaping every S3 XML body needs. Element names and order follow the S3 API
 * reference, so the AWS SDKs (C++ CRT, boto3, JS v3) parse them as they parse S3's own.
 */
import type { ObjectSummary } from './artifact-pull.js';

/** The namespace S3 puts on its result documents. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Escapes text for an XML element: the five markup characters, and characters XML 1.0 cannot
 * carry as text (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) as numeric
 * references, the way S3 writes keys that contain them. Keys come from artifact file paths, so
 * they are usually plain; this keeps a strange one from breaking the client's parser.
 */
export function escapeXml(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (ch) => {
      switch (ch) {
        case '&':
          return '&amp;';
        case '<':
          return '&lt;';
        case '>':
          return '&gt;';
        case '"':
          return '&quot;';
        case "'":
          return '&apos;';
        default:
          return `&#x${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase()};`;
      }
    },
  );
}

/**
 * `encoding-type=url`: boto3 asks for it on every ListObjectsV2 and URL-decodes Key, Prefix,
 * Delimiter and StartAfter (with unquote_plus). Encoded like S3: every byte but the unreserved
 * characters and `/`, UTF-8, uppercase hex; a space is `%20` (which unquote_plus also reads).
 */
export function urlEncodeKey(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/** An ETag as S3 writes it: in double quotes (a source's value may or may not carry them). */
export function quoteEtag(etag: string): string {
  if (etag.startsWith('"') || etag.startsWith('W/"')) return etag;
  return `"${etag}"`;
}

/** One page of a ListObjectsV2 answer, already cut (see ListPageBuilder). */
export interface ListObjectsV2Page {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter: string;
  readonly maxKeys: number;
  readonly startAfter: string;
  /** The token the client sent, echoed; empty when none. */
  readonly continuationToken: string;
  readonly contents: readonly ObjectSummary[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** Present when `isTruncated`. */
  readonly nextContinuationToken?: string;
  /** `encoding-type=url` was asked for. */
  readonly urlEncoded: boolean;
}

function element(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Renders a ListObjectsV2 result document. */
export function renderListObjectsV2(page: ListObjectsV2Page): string {
  const enc = (text: string): string => (page.urlEncoded ? urlEncodeKey(text) : text);
  const parts: string[] = [
    `${XML_DECL}<ListBucketResult xmlns="${S3_XMLNS}">`,
    element('Name', page.bucket),
    element('Prefix', enc(page.prefix)),
  ];
  if (page.delimiter !== '') parts.push(element('Delimiter', enc(page.delimiter)));
  parts.push(element('MaxKeys', page.maxKeys));
  if (page.urlEncoded) parts.push(element('EncodingType', 'url'));
  parts.push(
    element('KeyCount', page.contents.length + page.commonPrefixes.length),
    element('IsTruncated', page.isTruncated),
  );
  if (page.continuationToken !== '')
    parts.push(element('ContinuationToken', page.continuationToken));
  if (page.nextContinuationToken !== undefined)
    parts.push(element('NextContinuationToken', page.nextContinuationToken));
  if (page.startAfter !== '') parts.push(element('StartAfter', enc(page.startAfter)));
  for (const object of page.contents) {
    parts.push(
      '<Contents>',
      element('Key', enc(object.key)),
      element('LastModified', new Date(object.lastModifiedMs).toISOString()),
      element('ETag', quoteEtag(object.etag)),
      element('Size', object.size),
      element('StorageClass', 'STANDARD'),
      '</Contents>',
    );
  }
  for (const prefix of page.commonPrefixes) {
    parts.push('<CommonPrefixes>', element('Prefix', enc(prefix)), '</CommonPrefixes>');
  }
  parts.push('</ListBucketResult>');
  return parts.join('');
}

/**
 * GetBucketLocation's answer. The agent is one node-local endpoint with no regions; an empty
 * LocationConstraint is how S3 says us-east-1, which every client accepts.
 */
export function renderBucketLocation(): string {
  return `${XML_DECL}<LocationConstraint xmlns="${S3_XMLNS}"></LocationConstraint>`;
}
