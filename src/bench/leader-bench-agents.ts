/**
 * `bench leader`'s simulated agents, one forked process per slice of nodes: each node opens a
 * real WebSocket to the leader's hub with its own derived token and speaks the real protocol
 * (its frames come from SimNode; `kv` batches as binary frames when the leader's welcome accepts
 * them, so the bench measures what real agents send), and answers `resync` / `kv.resync` as a real agent does.
 * One timer drives every node of the process, each on its own phase: a timer per node made the
 * agents' processes compete with the leader for the same cores. Reports counts to the bench over
 * IPC every second; exits when the bench disconnects.
 */
import { WebSocket } from 'ws';
import { KV_BINARY_FEATURE, deriveAgentToken, encodeKvBinary } from '../protocol/index.js';
import { sleep } from '../shared/index.js';
import { nodeName, type AgentsChildPlan, type AgentsChildStats } from './leader-bench-plan.js';
import { SimNode } from './leader-bench-sim-node.js';

/** A socket holding more than this unsent is skipped this period (the leader fell behind). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/**
 * Connections between the WebSocket dial and the leader's welcome, at most, per child: a thousand
 * handshakes started at a fixed rate on a loaded machine time out and redial together (the agents
 * starve themselves); a bounded batch connects at the pace the leader accepts.
 */
const MAX_HANDSHAKES = 16;
/** The one timer's period; each node's state and KV periods are met to within it. */
const TICK_MS = 20;

interface Agent {
  readonly sim: SimNode;
  ws: WebSocket | undefined;
  /** Dialled and not yet welcomed (counted in `handshakes`). */
  handshaking: boolean;
  nextStateMs: number;
  nextKvMs: number;
  /** The leader's pace as this node last heard it (0: none). */
  paceStateMs: number;
  paceKvMs: number;
  kvCarry: number;
  /** The welcome accepted binary `kv` frames (and the plan offers them). */
  kvBinary: boolean;
}

const counts = {
  connected: 0,
  welcomed: 0,
  stateSent: 0,
  kvSent: 0,
  resyncs: 0,
  kvResyncs: 0,
  closes: 0,
  backpressured: 0,
  /** The leader's latest pace (pace-messages.ts), which every node of this process follows. */
  paceStateMs: 0,
  paceKvMs: 0,
};
const plan = JSON.parse(process.argv[2] ?? '{}') as AgentsChildPlan;
const stopping = new AbortController();
const agents: Agent[] = [];
let handshakes = 0;
/** The dialling loop's wake-up when a handshake ends (it is the only waiter). */
let handshakeEnded: (() => void) | undefined;

function endHandshake(agent: Agent): void {
  if (!agent.handshaking) return;
  agent.handshaking = false;
  handshakes--;
  handshakeEnded?.();
  handshakeEnded = undefined;
}

function send(agent: Agent, frame: string | Uint8Array): boolean {
  const ws = agent.ws;
  if (ws?.readyState !== WebSocket.OPEN) return false;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    counts.backpressured++;
    return false;
  }
  ws.send(frame);
  return true;
}

function flushKv(agent: Agent, blocks: number): void {
  agent.sim.storeBlocks(blocks);
  if (agent.ws?.readyState !== WebSocket.OPEN) return;
  const batch = agent.sim.nextKv();
  if (batch === undefined) return;
  if (send(agent, agent.kvBinary ? encodeKvBinary(batch) : JSON.stringify(batch))) {
    agent.sim.kvSent();
    counts.kvSent++;
  } else agent.sim.kvNotSent();
}

/**
 * A node's new pace, as the real agent takes it (paced-reports.ts, kv-reporter.ts): a changed
 * gap draws a random phase for the next report, so nodes that hear it together spread out.
 */
function repace(agent: Agent, stateMs: number, kvMs: number): void {
  const now = Date.now();
  if (stateMs !== agent.paceStateMs && stateMs > plan.periodMs)
    agent.nextStateMs = now + Math.random() * stateMs;
  if (kvMs !== agent.paceKvMs && kvMs > plan.kvFlushMs) agent.nextKvMs = now + Math.random() * kvMs;
  agent.paceStateMs = stateMs;
  agent.paceKvMs = kvMs;
}

/** The one timer: every node whose state or KV period came due sends it. */
function tick(): void {
  const now = Date.now();
  const kvBlocksPerFlush = (plan.kvBlocksPerS * plan.kvFlushMs) / 1000;
  for (const agent of agents) {
    if (agent.ws === undefined || agent.handshaking) continue;
    if (now >= agent.nextStateMs) {
      const periodMs = Math.max(plan.periodMs, agent.paceStateMs);
      agent.nextStateMs += periodMs * Math.max(1, Math.ceil((now - agent.nextStateMs) / periodMs));
      if (send(agent, agent.sim.nextState())) {
        agent.sim.stateSent();
        counts.stateSent++;
      }
    }
    if (plan.kvBlocksPerS > 0 && now >= agent.nextKvMs) {
      // Paced, a batch carries the blocks of its longer period (the engines store as fast).
      const flushMs = Math.max(plan.kvFlushMs, agent.paceKvMs);
      agent.nextKvMs += flushMs;
      if (agent.nextKvMs < now) agent.nextKvMs = now + flushMs; // fell behind: skip
      agent.kvCarry += (kvBlocksPerFlush * flushMs) / plan.kvFlushMs;
      const blocks = Math.floor(agent.kvCarry);
      agent.kvCarry -= blocks;
      flushKv(agent, blocks);
    }
  }
}

function connect(agent: Agent): void {
  const node = nodeName(agent.sim.n);
  const ws = new WebSocket(plan.hubUrl, {
    headers: { authorization: `Bearer ${deriveAgentToken(plan.secret, node)}` },
    handshakeTimeout: 10_000,
  });
  agent.ws = ws;
  agent.handshaking = true;
  handshakes++;
  let opened = false;
  ws.on('open', () => {
    opened = true;
    counts.connected++;
    send(agent, agent.sim.hello());
  });
  ws.on('message', (data: Buffer) => {
    // The leader's few message types are told apart without parsing every frame.
    const text = data.toString();
    if (text.includes('"type":"welcome"')) {
      counts.welcomed++;
      agent.kvBinary = plan.kvBinary && text.includes(`"${KV_BINARY_FEATURE}"`);
      endHandshake(agent);
    } else if (text.includes('"type":"resync"')) {
      counts.resyncs++;
      send(agent, agent.sim.hello());
    } else if (text.includes('"type":"pace"')) {
      const pace = JSON.parse(text) as { stateIntervalMs: number; kvFlushIntervalMs: number };
      counts.paceStateMs = pace.stateIntervalMs;
      counts.paceKvMs = pace.kvFlushIntervalMs;
      repace(agent, pace.stateIntervalMs, pace.kvFlushIntervalMs);
    } else if (text.includes('"type":"kv.resync"')) {
      counts.kvResyncs++;
      agent.sim.kvResync();
    }
  });
  ws.on('close', () => {
    if (agent.ws === ws) agent.ws = undefined;
    if (opened) counts.connected--;
    agent.paceStateMs = 0; // a new connection starts unpaced, as the real agent's does
    agent.paceKvMs = 0;
    endHandshake(agent);
    counts.closes++;
    if (!stopping.signal.aborted) setTimeout(() => connect(agent), 1000).unref();
  });
  ws.on('error', () => undefined); // 'close' follows and reconnects
}

async function main(): Promise<void> {
  for (let n = plan.from; n < plan.to; n++) {
    // Each node ticks on its own phase, as independent agents do.
    const start = Date.now();
    const agent: Agent = {
      sim: new SimNode(n, plan),
      ws: undefined,
      handshaking: false,
      nextStateMs: start + Math.random() * plan.periodMs,
      nextKvMs: start + Math.random() * plan.kvFlushMs,
      paceStateMs: 0,
      paceKvMs: 0,
      kvCarry: 0,
      kvBinary: false,
    };
    agents.push(agent);
    while (handshakes >= MAX_HANDSHAKES && !stopping.signal.aborted)
      await new Promise<void>((resolve) => (handshakeEnded = resolve));
    connect(agent); // after a stop the process exits within 200 ms, this socket with it
    await sleep(1000 / plan.connectPerS, stopping.signal).catch(() => undefined);
    if (stopping.signal.aborted) break;
  }
}

const stats = (): AgentsChildStats => {
  const cpu = process.cpuUsage();
  return { type: 'stats', ...counts, cpuMicros: cpu.user + cpu.system };
};
const statsTimer = setInterval(() => {
  // The bench may already be gone (it disconnects to stop us): a failed send is not an error.
  if (process.connected) process.send?.(stats(), undefined, undefined, () => undefined);
}, 1000);
const tickTimer = setInterval(tick, TICK_MS);
process.on('disconnect', () => {
  stopping.abort();
  clearInterval(statsTimer);
  clearInterval(tickTimer);
  for (const agent of agents) agent.ws?.terminate();
  setTimeout(() => process.exit(0), 200).unref();
});
void main();
