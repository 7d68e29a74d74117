/**
 * The HTTP machinery the http(s) and hub sources share. It exists (instead of `fetch`) for the
 * `lookup` hook: every connection's resolved addresses pass the host policy at connect time, so
 * a name that resolves — or re-resolves, DNS rebinding — to 169.254.169.254 or a private address
 * is refused before a byte is sent. IP-literal hosts are checked before any connection; each
 * redirect target is checked again, and Authorization is not carried to another origin.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { AppError, linkedSignal } from '../../shared/index.js';
import { checkAddress, checkHost, hostNotAllowed, type HostPolicy } from '../host-policy.js';
import { responseBody } from './http-body.js';
import { transportError } from './source-errors.js';

/** One resolved address of a host name. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to its addresses (all of them); default node:dns `lookup` with `all`. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** Settings of {@link HttpClient}. */
export interface HttpClientSettings {
  readonly policy: HostPolicy;
  /** Connect plus response headers, per hop, ms. Default 15000. */
  readonly headersTimeoutMs?: number;
  /** Longest gap between body chunks, ms. Default 30000. */
  readonly bodyIdleTimeoutMs?: number;
  /** Redirects followed per request. Default 5. */
  readonly maxRedirects?: number;
  /** Sockets per origin (the streamer runs 16 parts at once). Default 32. */
  readonly maxSockets?: number;
  /** Name resolution; tests inject one to point a name at a chosen address. */
  readonly resolve?: HostResolver;
}

/** What one request needs besides the URL. */
export interface HttpRequestOptions {
  readonly method: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Sees each redirect answer before it is followed; may throw to refuse it. */
  readonly onRedirect?: (res: IncomingMessage, to: URL) => void;
}

/** A response whose headers have arrived; the body is read at most once, or discarded. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** The URL that answered, after redirects. */
  readonly url: URL;
  /** The body, with the idle timeout and the request's signal applied. */
  body(): AsyncGenerator<Uint8Array, void, undefined>;
  /** Drops the body and the socket (cheaper than reading an unwanted body). */
  discard(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** HTTP(S) GET/HEAD under a host policy; see the file comment. `close()` frees its sockets. */
export class HttpClient {
  readonly #settings: Required<Omit<HttpClientSettings, 'resolve'>> & { resolve: HostResolver };
  readonly #httpAgent: HttpAgent;
  readonly #httpsAgent: HttpsAgent;

  constructor(settings: HttpClientSettings) {
    this.#settings = {
      headersTimeoutMs: 15_000,
      bodyIdleTimeoutMs: 30_000,
      maxRedirects: 5,
      maxSockets: 32,
      resolve: async (hostname) =>
        (await dnsLookup(hostname, { all: true })).map((a) => ({
          address: a.address,
          family: a.family === 6 ? 6 : 4,
        })),
      ...settings,
    };
    const agentOptions = {
      keepAlive: true,
      maxSockets: this.#settings.maxSockets,
      maxFreeSockets: 8,
    };
    this.#httpAgent = new HttpAgent(agentOptions);
    this.#httpsAgent = new HttpsAgent(agentOptions);
  }

  /**
   * Sends one request, following redirects (each target checked against the policy).
   * @throws AppError WEIGHTS_HOST_NOT_ALLOWED (no connection made), WEIGHTS_SOURCE_TIMEOUT,
   * WEIGHTS_ABORTED, WEIGHTS_SOURCE_FAILED (refused, reset, too many redirects).
   */
  async request(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
    let current = url;
    let headers: Record<string, string> = { ...options.headers };
    for (let hop = 0; ; hop++) {
      const res = await this.#send(current, options.method, headers, options.signal);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.statusCode ?? 0) || location === undefined) {
        const what = `${options.method} ${current.href}`;
        const idleMs = this.#settings.bodyIdleTimeoutMs;
        return {
          status: res.statusCode ?? 0,
          headers: res.headers,
          url: current,
          body: () => responseBody(res, what, idleMs, options.signal),
          // A HEAD answer has no body: resuming keeps the socket for the next request.
          discard: () => (options.method === 'HEAD' ? res.resume() : res.destroy()),
        };
      }
      res.destroy();
      if (hop >= this.#settings.maxRedirects)
        throw new AppError('WEIGHTS_SOURCE_FAILED', `${url.href}: more than ${hop} redirects`, {
          httpStatus: 502,
        });
      const next = new URL(location, current);
      options.onRedirect?.(res, next);
      // A bearer token for the hub must not reach the CDN (or anyone) it redirects to.
      if (next.origin !== current.origin) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'),
        );
      }
      current = next;
    }
  }

  /** Frees pooled sockets. */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  async #send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw hostNotAllowed(url.href, { reason: `scheme ${url.protocol} is not http(s)` });
    const decision = checkHost(this.#settings.policy, url.hostname);
    if (!decision.allowed) throw hostNotAllowed(url.href, decision);
    const linked = linkedSignal([signal], this.#settings.headersTimeoutMs);
    const isHttps = url.protocol === 'https:';
    try {
      return await new Promise<IncomingMessage>((resolve, reject) => {
        const req = (isHttps ? httpsRequest : httpRequest)(
          url,
          {
            method,
            headers,
            agent: isHttps ? this.#httpsAgent : this.#httpAgent,
            lookup: this.#checkedLookup(url.href),
            signal: linked.signal,
          },
          resolve,
        );
        req.on('error', (err) =>
          reject(
            transportError(err, `${method} ${url.href}`, {
              callerAborted: signal.aborted,
              timedOut: linked.timedOut,
            }),
          ),
        );
        req.end();
      });
    } finally {
      linked.dispose();
    }
  }

  /** A net `lookup` that refuses the connection when any resolved address is not allowed. */
  #checkedLookup(what: string): LookupFunction {
    return (hostname, options, callback) => {
      this.#settings.resolve(hostname).then(
        (addresses) => {
          const wanted = addresses.filter((a) => !options.family || a.family === options.family);
          for (const a of addresses) {
            const decision = checkAddress(this.#settings.policy, a.address);
            if (!decision.allowed) {
              callback(
                hostNotAllowed(what, {
                  reason: `${hostname}: ${decision.reason}`,
                }),
                '',
                4,
              );
              return;
            }
          }
          const first = wanted[0];
          if (first === undefined) {
            const err = Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' });
            callback(err, '', 4);
          } else if (options.all === true)
            callback(
              null,
              wanted.map((a) => ({ ...a })),
            );
          else callback(null, first.address, first.family);
        },
        (err: unknown) => callback(err as NodeJS.ErrnoException, '', 4),
      );
    };
  }
}
