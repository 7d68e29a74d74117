/**
 * The S3 operations of the read-through endpoint, once a request is parsed and authorized:
 * GetObject / HeadObject through the node cache's ArtifactReader (always releasing the object),
 * ListObjectsV2 paged over the reader's sorted listing, HeadBucket and GetBucketLocation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, linkedSignal, type Clock, type Logger } from '../../shared/index.js';
import type { ArtifactReader } from '../artifact-pull.js';
import type { ReadThroughConfig } from '../read-through-config.js';
import type { S3Error } from '../s3-errors.js';
import { ListPageBuilder, MAX_LIST_KEYS, parseListQuery } from '../s3-list-page.js';
import { planObjectAnswer } from '../s3-object-answer.js';
import { resourceOf, type ParsedS3Request } from '../s3-request-target.js';
import { renderBucketLocation, renderListObjectsV2 } from '../s3-xml.js';
import { writeObjectBody } from './object-body-writer.js';
import type { ReadThroughMetrics } from './read-through-metrics.js';

/** Longest a listing may take: the reader lists cache metadata, never bytes. */
const LIST_TIMEOUT_MS = 30_000;
/** Keys asked of the reader per call while cutting a page (one more than a full page). */
const LIST_BATCH = MAX_LIST_KEYS + 1;

/** One request in progress, as the operations see it. */
export interface S3Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  /** Monotonic ms when the request arrived (time to first byte). */
  readonly startedMs: number;
  /** Aborts when the client goes away or the server stops. */
  readonly signal: AbortSignal;
  /** Answers with an S3 error (no body for HEAD). */
  fail(error: S3Error, headers?: Readonly<Record<string, string>>): void;
}

export interface S3OperationsOptions {
  readonly config: ReadThroughConfig;
  readonly reader: ArtifactReader;
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: ReadThroughMetrics;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Serves the parsed operations. */
export class S3Operations {
  readonly #options: S3OperationsOptions;

  constructor(options: S3OperationsOptions) {
    this.#options = options;
  }

  /** Answers one request; rejects only before anything was sent (the caller answers 500/503). */
  async serve(request: ParsedS3Request, ex: S3Exchange): Promise<void> {
    const { operation } = request;
    switch (operation.op) {
      case 'get-object':
      case 'head-object':
        return this.#object(operation.bucket, operation.key, request, ex);
      case 'list-objects-v2':
        return this.#list(operation.bucket, request, ex);
      case 'head-bucket':
        if (await this.#bucketExists(operation.bucket, ex.signal)) ex.res.writeHead(200).end();
        else ex.fail({ code: 'NoSuchBucket', message: 'The specified bucket does not exist' });
        return;
      case 'get-bucket-location':
        return sendXml(ex.res, renderBucketLocation());
    }
  }

  async #object(
    bucket: string,
    key: string,
    request: ParsedS3Request,
    ex: S3Exchange,
  ): Promise<void> {
    const { config, reader, metrics, clock } = this.#options;
    const lookup = linkedSignal([ex.signal], config.firstByteTimeoutMs);
    let object;
    try {
      object = await reader.resolve(bucket, key, lookup.signal);
    } catch (err) {
      if (lookup.timedOut)
        throw new AppError(
          'WEIGHTS_SOURCE_TIMEOUT',
          `resolving ${bucket}/${key} took over ${config.firstByteTimeoutMs} ms`,
          { cause: err },
        );
      throw err;
    } finally {
      lookup.dispose();
    }
    if (object === undefined) {
      ex.fail({
        code: 'NoSuchKey',
        message: 'The specified key does not exist.',
        resource: `/${bucket}/${key}`,
        extra: { Key: key },
      });
      return;
    }
    try {
      const answer = planObjectAnswer(object, {
        range: single(ex.req.headers.range),
        ifMatch: single(ex.req.headers['if-match']),
        ifNoneMatch: single(ex.req.headers['if-none-match']),
        partNumber: request.query.get('partNumber') ?? undefined,
      });
      if (answer.kind === 'error') {
        ex.fail({ ...answer.error, resource: resourceOf(request.operation) }, answer.headers);
        return;
      }
      const headers = { ...answer.headers, 'content-type': 'application/octet-stream' };
      const length = answer.range.end - answer.range.start;
      if (request.operation.op === 'head-object' || answer.status === 304 || length === 0) {
        ex.res.writeHead(answer.status, headers).end();
        return;
      }
      await writeObjectBody(ex.res, object, answer.range, {
        status: answer.status,
        headers,
        signal: ex.signal,
        firstByteTimeoutMs: config.firstByteTimeoutMs,
        chunkIdleTimeoutMs: config.chunkIdleTimeoutMs,
        onFirstByte: () =>
          metrics.firstByte('get-object', (clock.monotonicMs() - ex.startedMs) / 1000),
        onBytes: (bytes) => metrics.served(bytes),
      });
    } finally {
      object.release();
    }
  }

  async #list(bucket: string, request: ParsedS3Request, ex: S3Exchange): Promise<void> {
    const parsed = parseListQuery(request.query);
    if (!parsed.ok) {
      ex.fail({ ...parsed.error, resource: `/${bucket}` });
      return;
    }
    const list = parsed.request;
    const builder = new ListPageBuilder(list);
    const timeout = linkedSignal([ex.signal], LIST_TIMEOUT_MS);
    try {
      for (;;) {
        const before = builder.cursor;
        const batch = await this.#options.reader.list(
          bucket,
          list.prefix,
          before,
          LIST_BATCH,
          timeout.signal,
        );
        if (builder.add(batch.keys) || !batch.truncated || builder.cursor === before) break;
      }
      const page = builder.finish();
      const empty = page.contents.length === 0 && page.commonPrefixes.length === 0;
      if (empty && !(await this.#bucketExists(bucket, timeout.signal))) {
        ex.fail({
          code: 'NoSuchBucket',
          message: 'The specified bucket does not exist',
          resource: `/${bucket}`,
          extra: { BucketName: bucket },
        });
        return;
      }
      sendXml(ex.res, renderListObjectsV2({ ...list, ...page, bucket }));
    } finally {
      timeout.dispose();
    }
  }

  /** A bucket exists for this endpoint when the node cache knows at least one key in it. */
  async #bucketExists(bucket: string, signal: AbortSignal): Promise<boolean> {
    const timeout = linkedSignal([signal], LIST_TIMEOUT_MS);
    try {
      const { keys } = await this.#options.reader.list(bucket, '', '', 1, timeout.signal);
      return keys.length > 0;
    } finally {
      timeout.dispose();
    }
  }
}

function sendXml(res: ServerResponse, body: string): void {
  res.writeHead(200, {
    'content-type': 'application/xml',
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
