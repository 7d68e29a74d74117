/**
 * The agent API's weights routes: `GET /v1/weights` (the node cache's contents and pulls),
 * `POST /v1/weights/pull {uri}` (202 with the pull's key and progress; with `?wait=1` or
 * `Accept: application/x-ndjson`, NDJSON progress lines then one result line — what
 * `infernode pull` draws its bar from) and `POST /v1/weights/evict {uri}` or `{key}`.
 *
 * Pulls started here belong to the agent, not to the request: a client that disconnects stops
 * reading progress, and the pull goes on.
 */
import type { ServerResponse } from 'node:http';
import { AppError, sendJson } from '../shared/index.js';
import type { CacheContents, PullHandle } from '../weights/adapters/index.js';
import type { AgentPostRequest, AgentPostRoute } from './agent-api.js';
import { badRequest, statusOf } from './agent-api-errors.js';

/** What the routes need of the node cache (NodeCache has it). */
export interface WeightsApiCache {
  pull(uri: string, options: { readonly signal: AbortSignal }): PullHandle;
  list(): CacheContents;
  evict(uri: string): Promise<{ readonly key: string; readonly bytes: number }>;
  evictKey(key: string): Promise<{ readonly key: string; readonly bytes: number }>;
}

/** Options of {@link weightsRoutes}. */
export interface WeightsRoutesOptions {
  readonly cache: WeightsApiCache;
  /** The agent's lifetime: pulls started through the API run until it ends. */
  readonly signal: AbortSignal;
  /** Between NDJSON progress lines, ms. Default 250. */
  readonly progressIntervalMs?: number;
}

/** The routes to give AgentApi: `json` to jsonRoutes, `post` to postRoutes. */
export function weightsRoutes(options: WeightsRoutesOptions): {
  readonly json: Readonly<Record<string, () => unknown>>;
  readonly post: Readonly<Record<string, AgentPostRoute>>;
} {
  const { cache } = options;
  return {
    json: {
      '/v1/weights': () => {
        try {
          return cache.list();
        } catch (err) {
          // A GET route answers JSON 200; the reason the cache is missing is the answer.
          return { available: false, error: err instanceof Error ? err.message : String(err) };
        }
      },
    },
    post: {
      '/v1/weights/pull': async ({ req, res, url, body }) => {
        const uri = stringField(body, 'uri');
        const handle = cache.pull(uri, { signal: options.signal });
        const wantsStream =
          url.searchParams.get('wait') === '1' ||
          (req.headers.accept ?? '').includes('application/x-ndjson');
        if (!wantsStream)
          return sendJson(res, 202, {
            key: handle.key,
            uri: handle.uri,
            progress: handle.progress(),
          });
        await streamProgress(res, handle, options.progressIntervalMs ?? 250);
      },
      '/v1/weights/evict': async ({ res, body }: AgentPostRequest) => {
        const evicted =
          typeof body.key === 'string'
            ? await cache.evictKey(body.key)
            : await cache.evict(stringField(body, 'uri'));
        sendJson(res, 200, { evicted: true, ...evicted });
      },
    },
  };
}

function stringField(body: Readonly<Record<string, unknown>>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '')
    throw badRequest(`the body needs a non-empty string "${name}"`);
  return value;
}

/**
 * Writes NDJSON: a `progress` line now and every `intervalMs` (skipped while the client is not
 * reading, so nothing piles up), then one `result` line and the end. Resolves when the result
 * is written or the client has gone (the pull itself is not touched).
 */
async function streamProgress(
  res: ServerResponse,
  handle: PullHandle,
  intervalMs: number,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const line = (value: unknown): void => {
    res.write(`${JSON.stringify(value)}\n`);
  };
  const progress = (): void => {
    if (!res.writableNeedDrain) line({ type: 'progress', key: handle.key, ...handle.progress() });
  };
  progress();
  const timer = setInterval(progress, intervalMs);
  timer.unref();
  const gone = new Promise<void>((resolve) => res.once('close', resolve));
  try {
    const outcome = await Promise.race([
      handle.done.then(
        (model) => ({
          type: 'result',
          ok: true,
          key: model.key,
          uri: model.uri,
          path: model.path,
          bytes: model.bytes,
        }),
        (err: unknown) => {
          const e =
            err instanceof AppError ? err : new AppError('WEIGHTS_SOURCE_FAILED', String(err));
          return {
            type: 'result',
            ok: false,
            key: handle.key,
            code: e.code,
            status: statusOf(e),
            message: e.message,
          };
        },
      ),
      gone.then(() => undefined),
    ]);
    if (outcome !== undefined && !res.destroyed) {
      line(outcome);
      res.end();
    }
  } finally {
    clearInterval(timer);
  }
}
