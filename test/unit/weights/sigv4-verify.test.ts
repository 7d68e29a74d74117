import { describe, expect, it } from 'vitest';
import {
  EMPTY_PAYLOAD_SHA256,
  parseAmzDate,
  type SecretLookup,
  verifySigV4,
  type SigV4Request,
} from '../../../src/weights/index.js';

// AWS's published Signature V4 examples for S3 ("Signature Calculations for the Authorization
// Header" and "Authenticating Requests: Using Query Parameters" in the S3 API reference).
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const secretOf = (id: string): string | undefined => (id === KEY_ID ? SECRET : undefined);
const SIGNED_AT = Date.UTC(2013, 4, 24);
const HOST = 'examplebucket.s3.amazonaws.com';

const getObject: SigV4Request = {
  method: 'GET',
  rawPath: '/test.txt',
  rawQuery: '',
  headers: {
    host: HOST,
    range: 'bytes=0-9',
    'x-amz-content-sha256': EMPTY_PAYLOAD_SHA256,
    'x-amz-date': '20130524T000000Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
      'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
      'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  },
};

const listObjects: SigV4Request = {
  method: 'GET',
  rawPath: '/',
  rawQuery: 'max-keys=2&prefix=J',
  headers: {
    host: HOST,
    'x-amz-content-sha256': EMPTY_PAYLOAD_SHA256,
    'x-amz-date': '20130524T000000Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date,' +
      'Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  },
};

const presigned: SigV4Request = {
  method: 'GET',
  rawPath: '/test.txt',
  rawQuery:
    'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
    '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
    '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  headers: { host: HOST },
};

const withHeaders = (req: SigV4Request, headers: Record<string, string>): SigV4Request => ({
  ...req,
  headers: { ...req.headers, ...headers },
});
const errorCode = (req: SigV4Request, nowMs = SIGNED_AT, lookup: SecretLookup = secretOf) => {
  const result = verifySigV4(req, lookup, nowMs);
  return result.kind === 'refused' ? result.error.code : result.kind;
};

describe('verifySigV4 against AWS published examples', () => {
  it('accepts the GetObject example (Range signed, empty payload hash)', () => {
    expect(verifySigV4(getObject, secretOf, SIGNED_AT)).toEqual({
      kind: 'signed',
      accessKeyId: KEY_ID,
    });
  });

  it('accepts the ListObjects example (canonical query sorted)', () => {
    expect(errorCode(listObjects)).toBe('signed');
    expect(errorCode({ ...listObjects, rawQuery: 'prefix=J&max-keys=2' })).toBe('signed');
  });

  it('accepts the presigned URL example within its lifetime', () => {
    expect(errorCode(presigned, SIGNED_AT + 3_600_000)).toBe('signed');
  });

  it('refuses a wrong secret', () => {
    expect(errorCode(getObject, SIGNED_AT, () => 'another secret')).toBe('SignatureDoesNotMatch');
  });

  it('refuses an unknown access key', () => {
    expect(errorCode(getObject, SIGNED_AT, () => undefined)).toBe('InvalidAccessKeyId');
  });

  it('refuses a tampered signed header, path or query', () => {
    expect(errorCode(withHeaders(getObject, { range: 'bytes=0-99' }))).toBe(
      'SignatureDoesNotMatch',
    );
    expect(errorCode({ ...getObject, rawPath: '/other.txt' })).toBe('SignatureDoesNotMatch');
    expect(errorCode({ ...listObjects, rawQuery: 'max-keys=3&prefix=J' })).toBe(
      'SignatureDoesNotMatch',
    );
  });

  it('refuses a request signed more than 15 minutes from now, either way', () => {
    expect(errorCode(getObject, SIGNED_AT + 14 * 60_000)).toBe('signed');
    expect(errorCode(getObject, SIGNED_AT + 16 * 60_000)).toBe('RequestTimeTooSkewed');
    expect(errorCode(getObject, SIGNED_AT - 16 * 60_000)).toBe('RequestTimeTooSkewed');
  });

  it('refuses an expired or not yet valid presigned URL', () => {
    expect(errorCode(presigned, SIGNED_AT + 86_401_000)).toBe('AccessDenied');
    expect(errorCode(presigned, SIGNED_AT - 16 * 60_000)).toBe('AccessDenied');
  });

  it('refuses a payload hash other than UNSIGNED-PAYLOAD or the empty body', () => {
    expect(errorCode(withHeaders(getObject, { 'x-amz-content-sha256': 'ab'.repeat(32) }))).toBe(
      'XAmzContentSHA256Mismatch',
    );
  });

  it('refuses malformed credentials and signed-header lists without host', () => {
    const auth = getObject.headers.authorization as string;
    expect(
      errorCode(withHeaders(getObject, { authorization: auth.replace('/s3/', '/ec2/') })),
    ).toBe('AuthorizationHeaderMalformed');
    expect(
      errorCode(withHeaders(getObject, { authorization: auth.replace('20130524/', '20130525/') })),
    ).toBe('AuthorizationHeaderMalformed');
    expect(errorCode(withHeaders(getObject, { authorization: auth.replace('host;', '') }))).toBe(
      'AuthorizationHeaderMalformed',
    );
    expect(errorCode(withHeaders(getObject, { authorization: 'AWS AKID:sig' }))).toBe(
      'AuthorizationHeaderMalformed',
    );
  });

  it('calls a request without any signature anonymous', () => {
    expect(verifySigV4({ ...presigned, rawQuery: '' }, secretOf, SIGNED_AT)).toEqual({
      kind: 'anonymous',
    });
  });

  it('parses X-Amz-Date', () => {
    expect(parseAmzDate('20130524T000000Z')).toBe(SIGNED_AT);
    expect(parseAmzDate('2013-05-24T00:00:00Z')).toBeUndefined();
  });
});
