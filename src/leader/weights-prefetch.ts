/**
 * `POST /v1/weights/pull {uri, nodes: [..] | "all"}` on the leader's control port: prefetches a
 * model onto chosen nodes through `weights.pull` commands (what `infernode pull --node` calls;
 * the autoscaler uses the same command before a scale-up) and streams NDJSON, one line per
 * progress report and one `result` line per node, each with its `node`. The pulls belong to the
 * agents: a client that disconnects stops reading, and the prefetch goes on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from '../protocol/index.js';
import { AppError, mutationAuth, readBody, sendJson } from '../shared/index.js';
import type { CommandClient } from './command-client.js';

/** Largest request body, bytes. */
const MAX_BODY_BYTES = 16 * 1024;
/** Most nodes one request may name. */
const MAX_NODES = 1024;

/** Options of {@link WeightsPrefetch}. */
export interface WeightsPrefetchOptions {
  readonly commands: Pick<CommandClient, 'send'>;
  /** Nodes whose agents are connected now (for `"all"`). */
  readonly connectedNodes: () => readonly string[];
  /** Bearer token for this route; empty: allowed only on a loopback control host. */
  readonly token: string;
  readonly listenHost: string;
  /** Timeout of each node's pull. Default 2 h. */
  readonly pullTimeoutMs?: number;
}

interface PrefetchRequest {
  readonly uri: string;
  readonly nodes: readonly string[];
}

/** Validates the body; throws LEADER_BAD_REQUEST naming what is wrong. */
export function parsePrefetchRequest(
  body: unknown,
  connectedNodes: () => readonly string[],
): PrefetchRequest {
  const bad = (message: string): AppError =>
    new AppError('LEADER_BAD_REQUEST', message, { httpStatus: 400 });
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw bad('the body must be a JSON object {uri, nodes}');
  const { uri, nodes } = body as Record<string, unknown>;
  if (typeof uri !== 'string' || uri === '' || uri.length > 2048)
    throw bad('uri must be an artifact URI of at most 2048 characters');
  const named =
    nodes === 'all'
      ? [...connectedNodes()]
      : Array.isArray(nodes) &&
          nodes.length <= MAX_NODES &&
          nodes.every((n) => typeof n === 'string' && n !== '' && n.length <= 253)
        ? [...new Set(nodes as string[])]
        : undefined;
  if (named === undefined) throw bad('nodes must be "all" or a list of node names');
  if (named.length === 0) throw bad('no node to pull onto (no agent is connected)');
  return { uri, nodes: named };
}

/** The route's handler; see the file comment. */
export class WeightsPrefetch {
  readonly #options: WeightsPrefetchOptions;

  constructor(options: WeightsPrefetchOptions) {
    this.#options = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const o = this.#options;
    let request: PrefetchRequest;
    try {
      const auth = mutationAuth(req.headers.authorization, o.token, o.listenHost);
      if (auth === 'forbidden')
        throw new AppError(
          'LEADER_FORBIDDEN',
          `the control port listens on ${o.listenHost} without control.token: set one (INFERNODE_LEADER_CONTROL_TOKEN) to allow prefetches`,
          { httpStatus: 403 },
        );
      if (auth === 'unauthorized')
        throw new AppError('LEADER_UNAUTHORIZED', 'a bearer token (control.token) is required', {
          httpStatus: 401,
        });
      const raw = await readBody(req, MAX_BODY_BYTES);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AppError('LEADER_BAD_REQUEST', 'the body is not JSON', { httpStatus: 400 });
      }
      request = parsePrefetchRequest(body, o.connectedNodes);
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('LEADER_BAD_REQUEST', String(err));
      sendJson(res, e.httpStatus ?? 400, { error: { code: e.code, message: e.message } });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    const line = (value: JsonObject): void => {
      // A client that stops reading loses progress lines, never the pulls.
      if (!res.destroyed && !res.writableNeedDrain) res.write(`${JSON.stringify(value)}\n`);
    };
    await Promise.all(
      request.nodes.map(async (node) => {
        const result = await o.commands.send({
          node,
          kind: 'weights.pull',
          args: { uri: request.uri },
          timeoutMs: o.pullTimeoutMs ?? 2 * 60 * 60 * 1000,
          onProgress: (progress) => line({ ...progress, type: 'progress', node }),
        });
        const last = result.ok
          ? { ...(result.value ?? {}), type: 'result', node, ok: true }
          : { type: 'result', node, ok: false, code: result.code, message: result.message };
        if (!res.destroyed) res.write(`${JSON.stringify(last)}\n`);
      }),
    );
    res.end();
  }
}
