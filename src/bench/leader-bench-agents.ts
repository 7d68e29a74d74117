/**
 * `bench leader`'s simulated agents, one forked process per slice of nodes: each node opens a
 * real WebSocket to the leader's hub with its own derived token and speaks the real protocol —
 * `hello` with a full snapshot, a `state` delta every period carrying every engine's moved load
 * (a real agent sends whatever changed since its last scrape; under traffic that is every
 * engine), `kv` batches every flush period (blocks stored, the oldest removed past a per-engine
 * bound), and answers `resync` / `kv.resync` as a real agent does. Reports counts to the bench
 * over IPC every second; exits when the bench disconnects.
 */
import { WebSocket } from 'ws';
import {
  PROTOCOL_VERSION,
  deriveAgentToken,
  type AgentMessage,
  type KvMessage,
  type KvSourceDelta,
} from '../protocol/index.js';
import { sleep } from '../shared/index.js';
import {
  engineId,
  engineReport,
  gpuSummaries,
  modelOf,
  nodeName,
  type AgentsChildPlan,
  type AgentsChildStats,
} from './leader-bench-plan.js';

/** A socket holding more than this unsent is skipped this period (the leader fell behind). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const ENGINE_URL = 'http://127.0.0.1:1';
/**
 * Connections between the WebSocket dial and the leader's welcome, at most, per child: a thousand
 * handshakes started at a fixed rate on a loaded machine time out and redial together (the agents
 * starve themselves); a bounded batch connects at the pace the leader accepts.
 */
const MAX_HANDSHAKES = 16;

interface SimNode {
  readonly n: number;
  ws: WebSocket | undefined;
  seq: number;
  tick: number;
  kvSeq: number;
  /** Per engine, the blocks it holds, oldest first. */
  readonly held: number[][];
  readonly pending: { stored: number[]; removed: number[] }[];
  nextHash: number;
  needKvReset: boolean;
  /** Dialled and not yet welcomed (counted in `handshakes`). */
  handshaking: boolean;
}

let handshakes = 0;
/** The dialling loop's wake-up when a handshake ends (it is the only waiter). */
let handshakeEnded: (() => void) | undefined;

function endHandshake(node: SimNode): void {
  if (!node.handshaking) return;
  node.handshaking = false;
  handshakes--;
  handshakeEnded?.();
  handshakeEnded = undefined;
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
};
const plan = JSON.parse(process.argv[2] ?? '{}') as AgentsChildPlan;
const stopping = new AbortController();
const nodes: SimNode[] = [];
/** Every node's timers, cleared when the bench disconnects. */
const timers: NodeJS.Timeout[] = [];

function send(node: SimNode, message: AgentMessage): boolean {
  const ws = node.ws;
  if (ws?.readyState !== WebSocket.OPEN) return false;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    counts.backpressured++;
    return false;
  }
  ws.send(JSON.stringify(message));
  return true;
}

const reports = (node: SimNode) =>
  Array.from({ length: plan.engines }, (_, e) =>
    engineReport(
      engineId(node.n, e),
      modelOf(node.n, e, plan.engines, plan.models),
      ENGINE_URL,
      node.tick,
    ),
  );

function sendHello(node: SimNode): void {
  node.kvSeq = 0; // kv seq restarts after every hello
  node.needKvReset = true;
  send(node, {
    v: PROTOCOL_VERSION,
    type: 'hello',
    node: nodeName(node.n),
    agentVersion: 'bench',
    seq: node.seq,
    snapshot: { engines: reports(node), gpus: gpuSummaries(plan.engines) },
  });
}

function sendState(node: SimNode): void {
  node.tick++;
  const message = { v: PROTOCOL_VERSION, type: 'state', seq: node.seq + 1, engines: reports(node) };
  if (send(node, message as AgentMessage)) {
    node.seq++;
    counts.stateSent++;
  }
}

/** Stores this flush's share of blocks on each engine, removing the oldest past the bound. */
function storeBlocks(node: SimNode, blocks: number): void {
  for (let i = 0; i < blocks; i++) {
    const e = (node.nextHash + i) % plan.engines;
    // Unique per node, below 2^52: node index in the high bits, a counter in the low 32.
    const hash = node.n * 2 ** 32 + (node.nextHash % 2 ** 32) + 1;
    node.nextHash++;
    const held = node.held[e] ?? [];
    const pending = node.pending[e] ?? { stored: [], removed: [] };
    held.push(hash);
    pending.stored.push(hash);
    if (held.length > plan.kvBlocksPerEngine) pending.removed.push(held.shift() ?? 0);
  }
}

function flushKv(node: SimNode): void {
  const deltas: KvSourceDelta[] = [];
  const reset = node.needKvReset;
  for (let e = 0; e < plan.engines; e++) {
    const pending = node.pending[e];
    if (pending === undefined) continue;
    const stored = reset ? [...(node.held[e] ?? [])] : pending.stored;
    const removed = reset ? [] : pending.removed;
    if (stored.length + removed.length === 0) continue;
    deltas.push({
      tier: 'gpu',
      engineId: engineId(node.n, e),
      ...(stored.length > 0 ? { stored } : {}),
      ...(removed.length > 0 ? { removed } : {}),
    });
  }
  if (deltas.length === 0 && !reset) return;
  const message: KvMessage = {
    v: 1,
    type: 'kv',
    seq: node.kvSeq + 1,
    ...(reset ? { reset: true as const } : {}),
    deltas,
  };
  if (send(node, message)) {
    node.kvSeq++;
    node.needKvReset = false;
    counts.kvSent++;
    for (const p of node.pending) p.stored = p.removed = [];
  } else if (node.pending.some((p) => p.stored.length > plan.kvBlocksPerEngine)) {
    // Too much unsent: drop it and send the whole holdings instead (what the real reporter does).
    node.needKvReset = true;
    for (const p of node.pending) p.stored = p.removed = [];
  }
}

function connect(node: SimNode): void {
  const ws = new WebSocket(plan.hubUrl, {
    headers: { authorization: `Bearer ${deriveAgentToken(plan.secret, nodeName(node.n))}` },
    handshakeTimeout: 10_000,
  });
  node.ws = ws;
  node.handshaking = true;
  handshakes++;
  let opened = false;
  ws.on('open', () => {
    opened = true;
    counts.connected++;
    sendHello(node);
  });
  ws.on('message', (data: Buffer) => {
    let msg: { type?: string };
    try {
      msg = JSON.parse(data.toString()) as { type?: string };
    } catch {
      return;
    }
    if (msg.type === 'welcome') {
      counts.welcomed++;
      endHandshake(node);
    } else if (msg.type === 'resync') {
      counts.resyncs++;
      sendHello(node);
    } else if (msg.type === 'kv.resync') {
      counts.kvResyncs++;
      node.needKvReset = true;
    }
  });
  ws.on('close', () => {
    if (node.ws === ws) node.ws = undefined;
    if (opened) counts.connected--;
    endHandshake(node);
    counts.closes++;
    if (!stopping.signal.aborted) setTimeout(() => connect(node), 1000).unref();
  });
  ws.on('error', () => undefined); // 'close' follows and reconnects
}

async function main(): Promise<void> {
  const kvBlocksPerFlush = (plan.kvBlocksPerS * plan.kvFlushMs) / 1000;
  for (let n = plan.from; n < plan.to; n++) {
    let kvCarry = 0;
    const node: SimNode = {
      n,
      ws: undefined,
      seq: 0,
      tick: 0,
      kvSeq: 0,
      held: Array.from({ length: plan.engines }, () => []),
      pending: Array.from({ length: plan.engines }, () => ({ stored: [], removed: [] })),
      nextHash: 0,
      needKvReset: true,
      handshaking: false,
    };
    nodes.push(node);
    while (handshakes >= MAX_HANDSHAKES && !stopping.signal.aborted)
      await new Promise<void>((resolve) => (handshakeEnded = resolve));
    connect(node); // after a stop the process exits within 200 ms, this socket with it
    // Each node ticks on its own phase, as independent agents do.
    const phase = Math.random() * plan.periodMs;
    setTimeout(() => {
      if (!stopping.signal.aborted) timers.push(setInterval(() => sendState(node), plan.periodMs));
    }, phase).unref();
    if (plan.kvBlocksPerS > 0) {
      const timer = setInterval(() => {
        kvCarry += kvBlocksPerFlush;
        const blocks = Math.floor(kvCarry);
        kvCarry -= blocks;
        storeBlocks(node, blocks);
        if (node.ws?.readyState === WebSocket.OPEN) flushKv(node);
      }, plan.kvFlushMs);
      timers.push(timer);
    }
    await sleep(1000 / plan.connectPerS, stopping.signal).catch(() => undefined);
    if (stopping.signal.aborted) break;
  }
}

const stats = (): AgentsChildStats => {
  const cpu = process.cpuUsage();
  return { type: 'stats', ...counts, cpuMicros: cpu.user + cpu.system };
};
const statsTimer = setInterval(() => process.send?.(stats()), 1000);
process.on('disconnect', () => {
  stopping.abort();
  clearInterval(statsTimer);
  for (const timer of timers) clearInterval(timer);
  for (const node of nodes) node.ws?.terminate();
  setTimeout(() => process.exit(0), 200).unref();
});
void main();
