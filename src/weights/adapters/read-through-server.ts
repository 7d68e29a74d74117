/**
 * The agent's read-through S3-compatible endpoint: engines stream weights from the node cache
 * with their own S3 clients, and bytes still on their way from upstream are served as they land
 * (a range not yet fetched is fetched next, by the node cache behind ArtifactReader).
 *
 * What the engines' clients send (read in their sources, and served exactly):
 * - vLLM `--load-format runai_streamer` with an s3:// model: vLLM calls the Run:ai streamer's
 *   `list_safetensors` and `pull_files` (config, tokenizer), then streams the *.safetensors.
 * - The streamer's C++ side (cpp/s3/client/client.cc) uses the AWS SDK's S3 CRT client:
 *   ListObjectsV2 (prefix; delimiter `/` unless recursive; NextContinuationToken until not
 *   truncated; keys ending in `/` skipped), and one GetObject per chunk with a closed range
 *   `bytes=a-b` (chunk RUNAI_STREAMER_CHUNK_BYTESIZE, 8 MiB by default, ≥ 5 MiB; 8 readers by
 *   default). The CRT meta-request first sends a HeadObject carrying that Range (to learn the
 *   size from Content-Range; newer CRTs skip it for closed ranges), then ranged GETs of its part
 *   size with If-Match: <ETag>. Signed SigV4 in the Authorization header with
 *   x-amz-content-sha256: UNSIGNED-PAYLOAD, from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
 * - The streamer's Python side (runai_model_streamer_s3/files.py) uses boto3: the
 *   list_objects_v2 paginator (boto3 adds encoding-type=url) and download_file: HeadObject,
 *   then one GetObject or ranged GETs of 8 MiB with IfMatch. boto3 over http:// signs the empty
 *   body's hash; RUNAI_STREAMER_S3_UNSIGNED=1 sends no signature at all.
 * - Addressing: the CRT client uses virtual-host style unless RUNAI_STREAMER_S3_USE_VIRTUAL_ADDRESSING=0,
 *   and both SDKs switch to path style when AWS_ENDPOINT_URL's host is an IP address; so give
 *   the engines the node IP (or set that variable). `virtualHostDomain` serves the other case.
 * - Neither needs HeadBucket, GetBucketLocation or ListBuckets; the first two are served anyway
 *   (cheap, and `aws s3` / mc use them), ListBuckets and every write are refused.
 */
import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  AppError,
  linkedSignal,
  serveUntilAborted,
  toError,
  type Clock,
  type Logger,
  type Registry,
  type Runnable,
} from '../../shared/index.js';
import type { ArtifactReader } from '../artifact-pull.js';
import { readThroughAuthProblem, type ReadThroughConfig } from '../read-through-config.js';
import { renderS3Error, s3ErrorStatus, type S3Error } from '../s3-errors.js';
import { parseS3Request, resourceOf, type S3OperationName } from '../s3-request-target.js';
import { verifySigV4 } from '../sigv4-verify.js';
import { ReadThroughMetrics } from './read-through-metrics.js';
import { S3Operations, type S3Exchange } from './s3-operations.js';

export interface ReadThroughServerOptions {
  readonly config: ReadThroughConfig;
  readonly reader: ArtifactReader;
  readonly registry: Registry;
  readonly log: Logger;
  readonly clock: Clock;
}

/** The read-through endpoint as a Runnable: `run(signal)` serves until the signal aborts. */
export class ReadThroughServer implements Runnable {
  readonly name = 'weights-read-through';
  readonly #options: ReadThroughServerOptions;
  readonly #server: Server;
  readonly #metrics: ReadThroughMetrics;
  readonly #operations: S3Operations;
  readonly #stop = new AbortController();
  #port = 0;

  /** Throws CONFIG_INVALID when the key pair is half set, or missing on a non-loopback host. */
  constructor(options: ReadThroughServerOptions) {
    const problem = readThroughAuthProblem(options.config);
    if (problem !== undefined)
      throw new AppError('CONFIG_INVALID', `weights read-through endpoint: ${problem}`);
    this.#options = options;
    this.#metrics = new ReadThroughMetrics(options.registry);
    this.#operations = new S3Operations({ ...options, metrics: this.#metrics });
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        options.log.error({ err: toError(err) }, 'read-through request failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    this.#server.maxConnections = options.config.maxConnections;
    // One listener per request in flight, bounded by the connections: lift the warning threshold.
    setMaxListeners(2 * options.config.maxConnections + 16, this.#stop.signal);
  }

  /** The bound port once listening (useful with port 0). */
  get port(): number {
    return this.#port;
  }

  async run(signal: AbortSignal): Promise<void> {
    const onStop = () => this.#stop.abort(signal.reason);
    signal.addEventListener('abort', onStop, { once: true });
    try {
      await serveUntilAborted(this.#server, {
        host: this.#options.config.host,
        port: this.#options.config.port,
        // Model bytes in flight are cut at once on stop: the engines' clients retry elsewhere.
        closeGraceMs: 1000,
        signal,
        onListening: (port) => {
          this.#port = port;
          const anonymous = this.#options.config.accessKeyId === '';
          this.#options.log.info({ port, anonymous }, 'weights read-through endpoint listening');
        },
      });
    } finally {
      signal.removeEventListener('abort', onStop);
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedMs = this.#options.clock.monotonicMs();
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    res.setHeader('x-amz-request-id', requestId);
    let op: S3OperationName = 'other';
    const endInFlight = this.#metrics.begin();
    // The client going away before the answer is complete aborts whatever reads it.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort(new Error('client closed the connection'));
      this.#metrics.answered(op, res.writableFinished ? res.statusCode : 'aborted');
      endInFlight();
    });
    const linked = linkedSignal([gone.signal, this.#stop.signal]);
    const exchange: S3Exchange = {
      req,
      res,
      requestId,
      startedMs,
      signal: linked.signal,
      fail: (error, headers) => this.#sendError(req, res, requestId, error, headers),
    };
    try {
      const parsed = parseS3Request(
        req.method ?? 'GET',
        req.headers.host ?? '',
        req.url ?? '/',
        this.#options.config.virtualHostDomain,
      );
      if (!parsed.ok) return exchange.fail(parsed.error);
      op = parsed.request.operation.op;
      const denied = this.#authorize(req, parsed.request.rawPath, parsed.request.rawQuery);
      if (denied !== undefined)
        return exchange.fail({ ...denied, resource: resourceOf(parsed.request.operation) });
      await this.#operations.serve(parsed.request, exchange);
    } catch (err) {
      if (linked.signal.aborted && gone.signal.aborted) return; // nobody left to answer
      if (res.headersSent) return; // the body writer destroyed the response already
      const stalled = err instanceof AppError && err.code === 'WEIGHTS_SOURCE_TIMEOUT';
      this.#options.log.warn({ err: toError(err), op }, 'read-through request failed');
      exchange.fail({
        code: stalled ? 'ServiceUnavailable' : 'InternalError',
        message: stalled
          ? 'the node cache is slow to deliver this range; retry'
          : 'the node cache could not serve this request',
      });
    } finally {
      linked.dispose();
    }
  }

  /** Undefined when the request may proceed, else the S3 error to answer. */
  #authorize(req: IncomingMessage, rawPath: string, rawQuery: string): S3Error | undefined {
    const { accessKeyId, secretAccessKey } = this.#options.config;
    // No key configured: anonymous reads, which the constructor allowed only on loopback. A
    // client that signs anyway is let through too: there is no secret to check it against.
    if (accessKeyId === '') return undefined;
    const result = verifySigV4(
      { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headersDistinct },
      (id) => (id === accessKeyId ? secretAccessKey : undefined),
      this.#options.clock.now(),
    );
    switch (result.kind) {
      case 'signed':
        return undefined;
      case 'anonymous':
        return {
          code: 'AccessDenied',
          message: 'Access Denied: this endpoint requires SigV4-signed requests',
        };
      case 'refused':
        return result.error;
    }
  }

  #sendError(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    error: S3Error,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    const status = s3ErrorStatus(error.code);
    if (req.method === 'HEAD') {
      res.writeHead(status, headers).end();
      return;
    }
    const body = renderS3Error(error, requestId);
    res.writeHead(status, {
      ...headers,
      'content-type': 'application/xml',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  }
}
