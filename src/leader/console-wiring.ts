/**
 * The web console's server side on the leader's control port (issue #17):
 * - `GET /v1/console/snapshot`: the whole ConsoleSnapshot as JSON (`infernode status`, tests);
 * - `GET /v1/console/stream`: Server-Sent Events, a `snapshot` on connect, then at most one
 *   `delta` a second when something changed (console-snapshot.ts), keep-alive comments;
 * - `GET /console` and `/console/assets/*`: the page (console-assets.ts); `/` redirects there.
 * The data routes ask for `Authorization: Bearer <control.token>` when a token is configured
 * (the page sends it with fetch; never in a URL); the page's files carry no data and are open.
 * Everything is read-only. A replica that does not lead answers 307 to the leader's control URL
 * when `console.leaderUrl` names it, else 503.
 */
import type http from 'node:http';
import {
  ConsoleFeed,
  consoleAdapters,
  consoleAutoscalers,
  consoleEngines,
  consoleEnginesSpread,
  ConsoleRowMemo,
  IdOrder,
  consoleKv,
  consoleNodes,
  type ConsoleLeader,
  type RoutingDecisionLog,
} from '../console/index.js';
import type { CustomResource } from '../discovery/index.js';
import type { KvNodeSummary } from '../kvcache/index.js';
import {
  mutationAuth,
  sendJson,
  sleep,
  type Clock,
  type Logger,
  type Registry,
  type Runnable,
} from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import { ConsoleAssets } from './console-assets.js';
import { ConsoleStreams } from './console-stream.js';

/** The `console` config section (leader-config.ts). */
export interface ConsoleSettings {
  readonly maxStreams: number;
  readonly maxBufferedBytes: number;
  readonly sampleIntervalMs: number;
  readonly seriesWindowMs: number;
  readonly keepAliveMs: number;
  readonly leaderUrl: string;
}

/** What the console reads and how it is bounded. */
export interface ConsoleWiringOptions {
  readonly settings: ConsoleSettings;
  /** control.token: when set, the data routes require it as a bearer token. */
  readonly token: string;
  readonly store: ClusterStateStore;
  readonly decisions: RoutingDecisionLog;
  readonly resources: () => readonly CustomResource[];
  readonly kvSummary: () => readonly KvNodeSummary[];
  readonly ejected: () => readonly string[];
  readonly leader: () => ConsoleLeader;
  /** This replica leads now. */
  readonly isLeader: () => boolean;
  /** The identity of the replica seen leading, when another one leads. */
  readonly otherLeader: () => string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  /** The built page's folder; default dist/console/web. */
  readonly webDir?: string;
}

/** Most distinct nodes shown in the KV section (the index can hold many more). */
const KV_NODES_SHOWN = 256;
/** The feed's tick: the page sees a change within a second, never more than one event a second. */
export const CONSOLE_TICK_MS = 1000;

/** Lets the rest of the event loop run (between the console tick's sections). */
const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Engine rows the console maps in one event-loop turn (1,000 nodes × 8 engines: 8 turns). */
const ENGINE_ROWS_PER_TURN = 1000;

/** The console's routes and its timers. */
export interface ConsoleWiring {
  /** Serves a console path on the control port; false when `path` is not the console's. */
  readonly serve: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => boolean;
  /** Ticks, samples and keeps streams alive while it runs (a leader-only part). */
  readonly runnable: Runnable;
  readonly feed: ConsoleFeed;
  readonly streams: ConsoleStreams;
}

/** Builds the console feed, its stream hub, its page and its routes. */
export function buildConsole(o: ConsoleWiringOptions): ConsoleWiring {
  const engineOrder = new IdOrder();
  const rows = new ConsoleRowMemo();
  const feed = new ConsoleFeed({
    clock: o.clock,
    series: {
      intervalMs: o.settings.sampleIntervalMs,
      windowMs: o.settings.seriesWindowMs,
      maxEngines: 1024,
    },
    sources: {
      leader: o.leader,
      nodes: () => consoleNodes(o.store.nodes(), rows),
      engines: () => consoleEngines(o.store.endpoints(), new Set(o.ejected()), engineOrder, rows),
      enginesSpread: (between) =>
        consoleEnginesSpread(
          o.store.endpoints(),
          new Set(o.ejected()),
          engineOrder,
          between,
          ENGINE_ROWS_PER_TURN,
          rows,
        ),
      routing: () => o.decisions.view(),
      adapters: () => consoleAdapters(o.resources()),
      autoscalers: () => consoleAutoscalers(o.resources()),
      kv: () => consoleKv(o.kvSummary().slice(0, KV_NODES_SHOWN), o.store.endpoints()),
    },
  });
  const streams = new ConsoleStreams({
    maxStreams: o.settings.maxStreams,
    maxBufferedBytes: o.settings.maxBufferedBytes,
    log: o.log,
    registry: o.registry,
  });
  const assets = new ConsoleAssets(o.webDir);
  if (!assets.built)
    o.log.info('console page not built (npm run build): /console serves a placeholder');

  const redirectToLeader = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const identity = o.otherLeader();
    const base =
      identity === undefined || o.settings.leaderUrl === ''
        ? undefined
        : o.settings.leaderUrl.replaceAll('{identity}', identity).replace(/\/+$/, '');
    if (base === undefined)
      return sendJson(res, 503, {
        error:
          identity === undefined
            ? 'this replica does not lead and no leader is known yet; retry shortly'
            : `this replica does not lead (${identity} does) and console.leaderUrl is not set: open the leader's control port`,
      });
    res.writeHead(307, { location: `${base}${req.url ?? '/console'}`, 'content-length': 0 });
    res.end();
  };

  const serve = (req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean => {
    const page = path === '/' || path === '/console' || path.startsWith('/console/');
    const data = path.startsWith('/v1/console/');
    if (!page && !data) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'the console is read-only: only GET' }, { allow: 'GET' });
      return true;
    }
    if (!o.isLeader()) {
      redirectToLeader(req, res);
      return true;
    }
    if (path === '/') {
      res.writeHead(307, { location: '/console', 'content-length': 0 });
      res.end();
      return true;
    }
    if (page) {
      if (!assets.serve(path, res)) sendJson(res, 404, { error: `no console file ${path}` });
      return true;
    }
    if (o.token !== '' && mutationAuth(req.headers.authorization, o.token, '') !== 'ok') {
      sendJson(
        res,
        401,
        { error: 'the console needs the control token: Authorization: Bearer <control.token>' },
        { 'www-authenticate': 'Bearer' },
      );
      return true;
    }
    if (path === '/v1/console/snapshot')
      sendJson(res, 200, feed.snapshot(), { 'cache-control': 'no-store' });
    else if (path === '/v1/console/stream') streams.open(req, res, feed.snapshot());
    else sendJson(res, 404, { error: `unknown console path ${path}` });
    return true;
  };

  const runnable: Runnable = {
    name: 'console-feed',
    run: async (signal) => {
      let sinceSample = o.settings.sampleIntervalMs;
      let sinceKeepAlive = 0;
      try {
        while (!signal.aborted) {
          const sample = sinceSample >= o.settings.sampleIntervalMs;
          if (sample) sinceSample = 0;
          const delta = await feed.tickSpread(streams.size > 0, yieldTurn, sample);
          if (delta !== undefined) streams.broadcast(delta);
          else if (sinceKeepAlive >= o.settings.keepAliveMs) {
            streams.keepAlive();
            sinceKeepAlive = 0;
          }
          await sleep(CONSOLE_TICK_MS, signal).catch(() => undefined);
          sinceSample += CONSOLE_TICK_MS;
          sinceKeepAlive = delta === undefined ? sinceKeepAlive + CONSOLE_TICK_MS : 0;
        }
      } finally {
        streams.closeAll();
      }
    },
  };
  return { serve, runnable, feed, streams };
}
