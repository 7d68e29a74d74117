import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RoutingDecisionLog,
  applyConsoleDelta,
  type ConsoleDelta,
  type ConsoleSnapshot,
} from '../../../src/console/index.js';
import { AgentHub, ClusterStateStore } from '../../../src/leader/index.js';
import { ControlServer } from '../../../src/leader/control-server.js';
import { buildConsole, type ConsoleSettings } from '../../../src/leader/console-wiring.js';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import type { EngineEndpoint } from '../../../src/discovery/index.js';
import { createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { someMetrics } from '../../helpers/routing-builders.js';

const SETTINGS: ConsoleSettings = {
  maxStreams: 2,
  maxBufferedBytes: 256 * 1024,
  sampleIntervalMs: 1000,
  seriesWindowMs: 60_000,
  keepAliveMs: 15_000,
  leaderUrl: '',
};

const endpoint = (id: string, node: string): EngineEndpoint => ({
  id,
  name: id.split('/')[1] ?? id,
  model: 'm',
  url: 'http://127.0.0.1:9',
  node,
  engine: 'vllm',
  gpuIndices: [0],
  ready: true,
});

interface Leader {
  readonly url: string;
  readonly store: ClusterStateStore;
  readonly console: ReturnType<typeof buildConsole>;
  readonly stop: () => Promise<void>;
}

const running: Leader[] = [];
afterEach(async () => {
  for (const l of running.splice(0)) await l.stop();
});

/** A real control server on 127.0.0.1:0 with the console wired as main.ts does. */
async function startLeader(
  options: {
    token?: string;
    leading?: boolean;
    otherLeader?: string;
    settings?: Partial<ConsoleSettings>;
  } = {},
): Promise<Leader> {
  const registry = createRegistry({ defaultMetrics: false });
  const log = silentLogger();
  const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 60_000 });
  store.setDiscovery({ endpoints: [endpoint('node-a/e0', 'node-a')], resources: [] });
  store.applySnapshot('node-a', '0.9.0', {
    engines: [
      {
        id: 'node-a/e0',
        model: 'm',
        url: 'http://127.0.0.1:9',
        ready: true,
        adapters: ['sql-lora'],
        metrics: someMetrics({ scrape: { numRequestsRunning: 3, kvCacheUsageRatio: 0.5 } }),
      },
    ],
    gpus: [{ index: 0, uuid: 'GPU-0', health: 'healthy', reasons: [] }],
  });
  const hub = new AgentHub({
    store,
    authenticator: new StaticAgentAuthenticator('secret-0123456789abcdef'),
    log,
    registry,
    identity: () => ({ leader: 'l-0', epoch: 1 }),
    pingIntervalMs: 1000,
  });
  const webConsole = buildConsole({
    settings: { ...SETTINGS, ...options.settings },
    token: options.token ?? '',
    store,
    decisions: new RoutingDecisionLog(systemClock),
    resources: () => [],
    kvSummary: () => [],
    ejected: () => [],
    leader: () => ({ identity: 'l-0', epoch: 1, version: 'test', sinceMs: 1 }),
    isLeader: () => options.leading ?? true,
    otherLeader: () => options.otherLeader,
    clock: systemClock,
    log,
    registry,
  });
  const control = new ControlServer({
    host: '127.0.0.1',
    port: 0,
    hub,
    store,
    registry,
    log,
    isReady: () => true,
    describe: () => ({}),
    console: webConsole,
  });
  const abort = new AbortController();
  const runs = Promise.all([control.run(abort.signal), webConsole.runnable.run(abort.signal)]);
  await waitFor(() => control.port > 0, 'control server');
  const leader: Leader = {
    url: `http://127.0.0.1:${control.port}`,
    store,
    console: webConsole,
    stop: async () => {
      abort.abort();
      await runs;
    },
  };
  running.push(leader);
  return leader;
}

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** An open event stream: its status, the events so far, and a way to close it. */
interface Stream {
  readonly res: http.IncomingMessage;
  readonly events: SseEvent[];
  readonly closed: Promise<void>;
  readonly close: () => void;
}

function openStream(url: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/v1/console/stream`, { headers }, (res) => {
      const events: SseEvent[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.startsWith(':')) continue;
          const event = /^event: (.*)$/m.exec(frame)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(frame)?.[1] ?? '';
          events.push({ event, data });
        }
      });
      const closed = new Promise<void>((done) => res.on('close', done));
      resolve({ res, events, closed, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

describe('the console feed on the leader control port', () => {
  it('sends a snapshot on connect and pushes a delta when an engine’s GPU fails', async () => {
    const leader = await startLeader();
    const stream = await openStream(leader.url);
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toMatch(/^text\/event-stream/);
    await waitFor(() => stream.events.length > 0, 'the snapshot event');
    expect(stream.events[0]?.event).toBe('snapshot');
    let page = JSON.parse(stream.events[0]?.data ?? '') as ConsoleSnapshot;
    expect(page.engines).toMatchObject([
      { id: 'node-a/e0', state: 'ready', running: 3, kvUsage: 0.5, adapters: ['sql-lora'] },
    ]);
    expect(page.nodes[0]).toMatchObject({ name: 'node-a', connected: true });

    leader.store.applyDelta('node-a', {
      v: 1,
      type: 'state',
      seq: 2,
      gpus: [{ index: 0, uuid: 'GPU-0', health: 'failed', reasons: ['Xid 79'] }],
      urgent: true,
    });
    const delta = await waitFor(
      () =>
        stream.events
          .filter((e) => e.event === 'delta')
          .map((e) => JSON.parse(e.data) as ConsoleDelta)
          .find((d) => d.engines?.[0]?.state === 'gpuFailed'),
      'a delta with the engine on a failed GPU',
      20_000,
    );
    for (const e of stream.events.slice(1))
      page = applyConsoleDelta(page, JSON.parse(e.data) as ConsoleDelta);
    expect(delta?.events?.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['gpu-failed', 'engine-down']),
    );
    // The page's copy after the deltas is the leader's snapshot.
    const fresh = JSON.parse(
      (await get(`${leader.url}/v1/console/snapshot`)).body,
    ) as ConsoleSnapshot;
    expect(page.engines).toEqual(fresh.engines);
    expect(page.events.slice(0, 2)).toEqual(fresh.events.slice(0, 2));
    stream.close();
  });

  it('refuses streams past its bound and drops a client that does not read', async () => {
    const leader = await startLeader();
    const first = await openStream(leader.url);
    const second = await openStream(leader.url);
    await waitFor(() => leader.console.streams.size === 2, 'two streams open');
    const third = await get(`${leader.url}/v1/console/stream`);
    expect(third.status).toBe(503);
    first.res.pause(); // a tab that stopped reading
    second.close();
    await waitFor(() => leader.console.streams.size === 1, 'the closed stream gone');
    const big: ConsoleDelta = {
      v: 1,
      seq: 1,
      generatedAtMs: 0,
      events: Array.from({ length: 200 }, (_, i) => ({
        id: i + 1,
        atMs: 0,
        kind: 'scale' as const,
        severity: 'info' as const,
        subject: 's',
        message: 'x'.repeat(500),
      })),
    };
    await waitFor(
      () => {
        leader.console.streams.broadcast(big);
        return leader.console.streams.size === 0;
      },
      'the slow stream dropped',
      30_000,
      1,
    );
    first.close();
    const metrics = await get(`${leader.url}/metrics`);
    expect(metrics.body).toMatch(/infernode_console_streams_dropped_total 1/);
    expect(metrics.body).toMatch(/infernode_console_streams_refused_total 1/);
  }, 60_000);

  it('asks for the control token on its data routes, and never for the page', async () => {
    const leader = await startLeader({ token: 'console-token' });
    expect((await get(`${leader.url}/v1/console/snapshot`)).status).toBe(401);
    expect(
      (await get(`${leader.url}/v1/console/snapshot`, { authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    const ok = await get(`${leader.url}/v1/console/snapshot`, {
      authorization: 'Bearer console-token',
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ v: 1, leader: { identity: 'l-0' } });
    const stream = await openStream(leader.url, { authorization: 'Bearer console-token' });
    expect(stream.res.statusCode).toBe(200);
    stream.close();
    const page = await get(`${leader.url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const root = await get(`${leader.url}/`);
    expect(root.status).toBe(307);
    expect(root.headers.location).toBe('/console');
    expect((await get(`${leader.url}/console/assets/uplot/uPlot.esm.js`)).status).toBe(200);
    expect((await get(`${leader.url}/console/assets/../../package.json`)).status).toBe(404);
    expect((await get(`${leader.url}/console/assets/%2e%2e/package.json`)).status).toBe(404);
  });

  it('redirects a follower’s console requests to the leader, or says it cannot', async () => {
    const unknown = await startLeader({ leading: false });
    const refused = await get(`${unknown.url}/v1/console/snapshot`);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatch(/does not lead/);
    const follower = await startLeader({
      leading: false,
      otherLeader: 'leader-1',
      settings: { leaderUrl: 'http://{identity}.infernode-leader:8081/' },
    });
    const trimmed = await get(`${follower.url}/v1/console/snapshot`);
    expect(trimmed.status).toBe(307);
    expect(trimmed.headers.location).toBe(
      'http://leader-1.infernode-leader:8081/v1/console/snapshot',
    );
    const known = await startLeader({
      leading: false,
      otherLeader: 'leader-1',
      settings: { leaderUrl: 'http://{identity}.infernode-leader:8081' },
    });
    const moved = await get(`${known.url}/v1/console/stream`);
    expect(moved.status).toBe(307);
    expect(moved.headers.location).toBe('http://leader-1.infernode-leader:8081/v1/console/stream');
    const page = await get(`${known.url}/console`);
    expect(page.headers.location).toBe('http://leader-1.infernode-leader:8081/console');
  });
});
