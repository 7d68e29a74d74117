/**
 * The S3 error answers of the read-through endpoint: S3's own codes (the protocol's vocabulary,
 * which clients switch on, not infernode's ERROR_CODES) with S3's status for each, and the XML
 * `<Error>` body. A HEAD answer carries no body, as on S3; the SDKs then go by the status alone.
 */
import { escapeXml } from './s3-xml.js';

/** Each S3 error code the endpoint answers with, and its HTTP status on S3. */
export const S3_ERROR_STATUS = {
  NoSuchKey: 404,
  NoSuchBucket: 404,
  InvalidRange: 416,
  InvalidPartNumber: 416,
  PreconditionFailed: 412,
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  XAmzContentSHA256Mismatch: 400,
  InvalidArgument: 400,
  InvalidRequest: 400,
  MethodNotAllowed: 405,
  NotImplemented: 501,
  InternalError: 500,
  ServiceUnavailable: 503,
} as const;

export type S3ErrorCode = keyof typeof S3_ERROR_STATUS;

/** One S3 error answer. `extra` elements (ActualObjectSize, Key, …) follow Code and Message. */
export interface S3Error {
  readonly code: S3ErrorCode;
  readonly message: string;
  /** The request's resource, `/bucket/key`. */
  readonly resource?: string;
  readonly extra?: Readonly<Record<string, string | number>>;
}

/** The HTTP status S3 gives `code`. */
export function s3ErrorStatus(code: S3ErrorCode): number {
  return S3_ERROR_STATUS[code];
}

/** Renders an S3 `<Error>` document. */
export function renderS3Error(error: S3Error, requestId: string): string {
  const extra = Object.entries(error.extra ?? {})
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
  const resource =
    error.resource === undefined ? '' : `<Resource>${escapeXml(error.resource)}</Resource>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>` +
    `${extra}${resource}<RequestId>${escapeXml(requestId)}</RequestId></Error>`
  );
}
