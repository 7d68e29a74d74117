import { connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentHub, ClusterStateStore } from '../../../src/leader/index.js';
import { ControlServer } from '../../../src/leader/control-server.js';
import { LeaderClient } from '../../../src/agent/leader-client.js';
import { AgentMetrics } from '../../../src/agent/agent-metrics.js';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import { deriveAgentToken } from '../../../src/protocol/index.js';
import {
  createRegistry,
  silentLogger,
  systemClock,
  SeededRng,
  type Rng,
} from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const SECRET = 'test-secret-0123456789abcdef';

interface Leader {
  store: ClusterStateStore;
  hub: AgentHub;
  url: string;
  port: number;
  metrics: () => Promise<string>;
  stop: () => Promise<void>;
}

async function startLeader(port = 0, pingIntervalMs = 100): Promise<Leader> {
  const registry = createRegistry({ defaultMetrics: false });
  const log = silentLogger();
  const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 1000 });
  const hub = new AgentHub({
    store,
    authenticator: new StaticAgentAuthenticator(SECRET),
    log,
    registry,
    identity: () => ({ leader: 'l-0', epoch: 7 }),
    pingIntervalMs,
  });
  const control = new ControlServer({
    host: '127.0.0.1',
    port,
    hub,
    store,
    registry,
    log,
    isReady: () => true,
    describe: () => ({}),
  });
  const abort = new AbortController();
  const runs = Promise.all([hub.run(abort.signal), control.run(abort.signal)]);
  await waitFor(() => control.port > 0, 'control server');
  return {
    store,
    hub,
    port: control.port,
    url: `ws://127.0.0.1:${control.port}/v1/agents`,
    metrics: () => registry.metrics(),
    stop: async () => {
      abort.abort();
      await runs;
    },
  };
}

const hello = (seq: number, node = 'node-a') =>
  JSON.stringify({
    v: 1,
    type: 'hello',
    node,
    agentVersion: 't',
    seq,
    snapshot: {
      engines: [{ id: `${node}/e0`, model: 'm', url: 'http://x', ready: true, adapters: [] }],
      gpus: [],
    },
  });

/** A real agent-side client for `node` (fast reconnects). */
function agentFor(url: string, node: string, rng: Rng = new SeededRng(1)): LeaderClient {
  return new LeaderClient({
    url,
    credential: () => Promise.resolve(deriveAgentToken(SECRET, node)),
    node,
    agentVersion: 't',
    log: silentLogger(),
    metrics: new AgentMetrics(createRegistry({ defaultMetrics: false }), node),
    rng,
    reconnect: { initialMs: 50, maxMs: 200 },
  });
}

function connect(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const token = deriveAgentToken(SECRET, 'node-a');
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, ...options });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const nextMessage = (ws: WebSocket): Promise<Record<string, unknown>> =>
  new Promise((resolve) =>
    ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)),
  );
const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

let leader: Leader | undefined;
afterEach(async () => {
  await leader?.stop();
  leader = undefined;
});

describe('agent hub', () => {
  it('refuses an agent without the right token before upgrading, and counts it', async () => {
    leader = await startLeader();
    const ws = new WebSocket(leader.url, { headers: { authorization: 'Bearer wrong' } });
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    expect(await leader.metrics()).toMatch(
      /infernode_leader_agent_messages_rejected_total\{reason="Unauthorized"\} 1/,
    );
  });

  it('welcomes a hello with the leader identity and epoch and stores the snapshot', async () => {
    leader = await startLeader();
    const ws = await connect(leader.url);
    const welcome = nextMessage(ws);
    ws.send(hello(1));
    expect(await welcome).toEqual({
      v: 1,
      type: 'welcome',
      leader: 'l-0',
      epoch: 7,
      features: ['kv-binary'],
    });
    await waitFor(
      () => leader!.store.nodes().some((n) => n.node === 'node-a' && n.connected),
      'node stored',
    );
    ws.close();
  });

  it('closes the socket on a malformed message with a reason, and counts it', async () => {
    leader = await startLeader();
    const ws = await connect(leader.url);
    const done = closed(ws);
    ws.send('{"v":1,"type":"hello","node":""}');
    const { code, reason } = await done;
    expect(code).toBe(4400);
    expect(reason).toMatch(/hello needs/);
    expect(await leader.metrics()).toMatch(/rejected_total\{reason="invalid"\} 1/);
  });

  it('refuses another protocol version with its own close code', async () => {
    leader = await startLeader();
    const ws = await connect(leader.url);
    const done = closed(ws);
    ws.send(hello(1).replace('"v":1', '"v":9'));
    expect((await done).code).toBe(4426);
  });

  it('asks for a resync on a seq gap and ignores deltas until the next hello', async () => {
    leader = await startLeader();
    const ws = await connect(leader.url);
    const welcome = nextMessage(ws);
    ws.send(hello(1));
    await welcome;
    ws.send(JSON.stringify({ v: 1, type: 'state', seq: 2, removedEngines: [] }));
    const resync = nextMessage(ws);
    ws.send(JSON.stringify({ v: 1, type: 'state', seq: 4, removedEngines: ['node-a/e0'] }));
    expect(await resync).toMatchObject({ type: 'resync', reason: 'expected seq 3, got 4' });
    ws.send(JSON.stringify({ v: 1, type: 'state', seq: 5, removedEngines: ['node-a/e0'] }));
    await new Promise((r) => setTimeout(r, 100));
    expect(leader.store.nodes()[0]!.engineIds).toEqual(['node-a/e0']);
    ws.send(hello(6));
    ws.send(JSON.stringify({ v: 1, type: 'state', seq: 7, removedEngines: ['node-a/e0'] }));
    await waitFor(
      () => leader!.store.nodes()[0]!.engineIds.length === 0,
      'delta applied after the new hello',
    );
    ws.close();
  });

  it('declares an agent lost after 3 missed heartbeats', async () => {
    leader = await startLeader(0, 50);
    const ws = await connect(leader.url, { autoPong: false });
    ws.send(hello(1));
    await waitFor(() => leader!.store.nodes()[0]?.connected === true, 'connected');
    const { code } = await closed(ws);
    expect(code).toBe(1006);
    await waitFor(() => !leader!.store.nodes()[0]!.connected, 'agent marked lost');
  });

  it('survives clients that reset their upgrade while it is being refused or authenticated', async () => {
    leader = await startLeader();
    const port = leader.port;
    const upgrade = (bearer: string) =>
      'GET /v1/agents HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
      `Authorization: Bearer ${bearer}\r\n\r\n`;
    const resets = Array.from({ length: 60 }, (_, i) => {
      const bearer = i % 2 === 0 ? 'not-a-token' : deriveAgentToken(SECRET, `node-r${i}`);
      return new Promise<void>((resolve) => {
        const socket = tcpConnect(port, '127.0.0.1', () => {
          socket.write(upgrade(bearer));
          // Reset (RST, not FIN) at once or a moment later: mid-refusal, mid-handshake.
          setTimeout(() => socket.resetAndDestroy(), i % 3);
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
    });
    await Promise.all(resets);
    // Still up: a real agent connects and is seen.
    const ws = await connect(leader.url);
    ws.send(hello(1));
    await waitFor(() => leader!.store.nodes()[0]?.connected === true, 'connected');
    ws.close();
  });

  it('counts an agent’s messages as heartbeats: no pong needed while it reports', async () => {
    leader = await startLeader(0, 50);
    const ws = await connect(leader.url, { autoPong: false });
    const pinged = { count: 0 };
    ws.on('ping', () => pinged.count++);
    ws.send(hello(1));
    await waitFor(() => leader!.store.nodes()[0]?.connected === true, 'connected');
    // Reports every 10 ms for 400 ms: eight ping intervals, each with traffic in it.
    for (let seq = 2; seq < 42; seq++) {
      ws.send(JSON.stringify({ v: 1, type: 'state', seq, removedEngines: [] }));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(ws.readyState).toBe(ws.OPEN);
    expect(leader.store.nodes()[0]?.connected).toBe(true);
    expect(pinged.count).toBeLessThanOrEqual(2);
    // Silent and deaf: pinged, never answers, lost.
    const { code } = await closed(ws);
    expect(code).toBe(1006);
    expect(pinged.count).toBeGreaterThanOrEqual(3);
  });

  it('an agent reconnects with backoff and reports again from a full hello after the leader returns', async () => {
    leader = await startLeader();
    const port = leader.port;
    const gossip = agentFor(leader.url, 'node-r');
    gossip.updateEngines([
      { id: 'node-r/e0', model: 'm', url: 'http://x', ready: true, adapters: [] },
    ]);
    const abort = new AbortController();
    const running = gossip.run(abort.signal);
    await waitFor(
      () => leader!.store.nodes().some((n) => n.node === 'node-r' && n.connected),
      'first connection',
    );
    await leader.stop();
    await waitFor(() => !gossip.connected, 'disconnected');
    gossip.updateEngines([
      { id: 'node-r/e0', model: 'm', url: 'http://x', ready: false, adapters: [] },
    ]);
    leader = await startLeader(port);
    await waitFor(
      () => leader!.store.nodes().some((n) => n.node === 'node-r' && n.connected),
      'reconnected',
      10_000,
    );
    const engine = leader.store.nodes().find((n) => n.node === 'node-r')!;
    expect(engine.engineIds).toEqual(['node-r/e0']);
    expect(gossip.leader).toEqual({ leader: 'l-0', epoch: 7 });
    abort.abort();
    await running;
  });

  it('paces agents that understand it: routine deltas wait, the latest goes when the pace lifts', async () => {
    leader = await startLeader();
    // The phase a new pace draws (paced-reports.ts): late in the 10-s gap, so the test sees it hold.
    const agent = agentFor(leader.url, 'node-p', { next: () => 0.99 });
    const report = (...engines: string[]) =>
      engines.map((e) => ({
        id: `node-p/${e}`,
        model: 'm',
        url: 'http://x',
        ready: true,
        adapters: [],
      }));
    const onLeader = (): string => leader!.store.node('node-p')?.engineIds.join(',') ?? '';
    const abort = new AbortController();
    const running = agent.run(abort.signal);
    await waitFor(() => agent.leader !== undefined, 'welcomed');
    // An old agent (no `pace` feature) on the same hub must never get the new message type.
    const old = await connect(leader.url);
    const seen: string[] = [];
    old.on('message', (d: Buffer) => seen.push(JSON.parse(d.toString()).type));
    old.send(hello(0));
    await waitFor(() => seen.includes('welcome'), 'old agent welcomed');

    agent.updateEngines(report('e0'));
    await waitFor(() => onLeader() === 'node-p/e0', 'first report');
    leader.hub.pace({ stateIntervalMs: 10_000, kvFlushIntervalMs: 0 });
    await new Promise((r) => setTimeout(r, 200)); // the pace crosses the socket
    agent.updateEngines(report('e0', 'e1')); // within the pace: held
    agent.updateEngines(report('e1'));
    agent.updateEngines(report('e2')); // only this latest one may arrive
    await new Promise((r) => setTimeout(r, 300));
    expect(onLeader()).toBe('node-p/e0');
    leader.hub.pace({ stateIntervalMs: 0, kvFlushIntervalMs: 0 });
    await waitFor(() => onLeader() === 'node-p/e2', 'held report sent once the pace lifts');

    old.send(JSON.stringify({ v: 1, type: 'state', seq: 5 })); // a gap: the hub answers resync
    await waitFor(() => seen.includes('resync'), 'old agent resync');
    expect(seen).not.toContain('pace');
    old.close();
    abort.abort();
    await running;
  });
});
