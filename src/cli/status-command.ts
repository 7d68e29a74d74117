/**
 * `infernode status`: the cluster as the leader sees it — nodes and their agents, engines with
 * their load, freshness and health — from the leader's control API (`/v1/cluster`).
 */
import { int, str } from '../shared/index.js';
import { defineCommand } from '../shared/index.js';

interface ClusterView {
  leader?: string;
  epoch?: number;
  version?: string;
  ejected?: string[];
  nodes: {
    node: string;
    connected: boolean;
    agentVersion: string;
    gpus: { index: number; health: string }[];
  }[];
  engines: {
    id: string;
    model: string;
    ready: boolean;
    stale: boolean;
    agentSaysDown: boolean;
    gpuFailed: boolean;
    running?: number;
    waiting?: number;
    kvCacheUsageRatio?: number;
  }[];
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);

function engineState(e: ClusterView['engines'][number], ejected: readonly string[]): string {
  if (e.gpuFailed) return 'gpu-failed';
  if (e.agentSaysDown) return 'down';
  if (ejected.includes(e.id)) return 'ejected';
  if (!e.ready) return 'not-ready';
  return e.stale ? 'stale' : 'ok';
}

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the leader running on that port?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ERR_INVALID_URL: 'not a valid http:// URL',
};

/**
 * Why a fetch to the leader failed, in words: fetch itself only says "fetch failed" and keeps
 * the reason (ECONNREFUSED, a DNS failure) in `cause`.
 */
export function fetchFailure(err: unknown, timeoutMs: number): string {
  const error = err instanceof Error ? err : new Error(String(err));
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error.cause as { code?: string; message?: string } | undefined;
  if (cause?.code !== undefined) return NETWORK_REASONS[cause.code] ?? cause.code;
  return cause?.message ?? error.message;
}

/** Prints the leader's view as tables. */
export function renderStatus(view: ClusterView): string[] {
  const lines = [
    `leader ${view.leader ?? '?'}  epoch ${String(view.epoch ?? '?')}  version ${view.version ?? '?'}`,
    '',
  ];
  lines.push(`${'NODE'.padEnd(16)} ${'AGENT'.padEnd(13)} GPUS`);
  for (const n of view.nodes) {
    const gpus = n.gpus.length === 0 ? '-' : n.gpus.map((g) => `${g.index}:${g.health}`).join(' ');
    lines.push(`${n.node.padEnd(16)} ${(n.connected ? 'connected' : 'lost').padEnd(13)} ${gpus}`);
  }
  lines.push(
    '',
    `${'ENGINE'.padEnd(28)} ${'MODEL'.padEnd(26)} ${'STATE'.padEnd(11)} RUN  WAIT  KV`,
  );
  for (const e of view.engines) {
    const kv =
      e.kvCacheUsageRatio === undefined ? '-' : `${Math.round(e.kvCacheUsageRatio * 100)}%`;
    lines.push(
      `${e.id.padEnd(28)} ${e.model.padEnd(26)} ${engineState(e, view.ejected ?? []).padEnd(11)} ${String(e.running ?? '-').padStart(3)}  ${String(e.waiting ?? '-').padStart(4)}  ${kv}`,
    );
  }
  return lines;
}

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'show the cluster as the leader sees it: nodes, GPUs, engines, load',
  usage: 'infernode status [--leader-url http://127.0.0.1:8081]',
  envPrefix: 'STATUS',
  spec: {
    leaderUrl: str('http://127.0.0.1:8081', 'the leader’s control URL'),
    timeoutMs: int(5000, 'request timeout, ms', { min: 1 }),
  },
  async run({ config }) {
    const url = `${config.leaderUrl.replace(/\/+$/, '')}/v1/cluster`;
    let view: ClusterView;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(config.timeoutMs) });
      if (!res.ok) throw new Error(`it answered HTTP ${res.status}`);
      view = (await res.json()) as ClusterView;
    } catch (err) {
      process.stderr.write(
        `infernode status: cannot read the cluster from the leader at ${url}: ${fetchFailure(err, config.timeoutMs)} (set --leader-url or INFERNODE_STATUS_LEADER_URL)\n`,
      );
      return 1;
    }
    for (const line of renderStatus(view)) out(line);
    return 0;
  },
});
