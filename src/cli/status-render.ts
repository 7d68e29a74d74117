/**
 * `infernode status` as text: the cluster's nodes and engines, then the adapters, autoscalers
 * and KV cache sections. Pure: a snapshot in, lines out (the command prints or redraws them).
 */
import type {
  AdapterRow,
  AutoscalerRow,
  ClusterView,
  KvCacheRow,
  KvIndexRow,
  StatusSnapshot,
} from './status-snapshot.js';

function engineState(e: ClusterView['engines'][number], ejected: readonly string[]): string {
  if (e.gpuFailed) return 'gpu-failed';
  if (e.agentSaysDown) return 'down';
  if (ejected.includes(e.id)) return 'ejected';
  if (e.draining === true) return 'draining';
  if (!e.ready) return 'not-ready';
  return e.stale ? 'stale' : 'ok';
}

const dash = (v: number | string | null | undefined): string =>
  v === null || v === undefined ? '-' : String(v);

/** Bytes in binary units, one decimal: 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** The leader's view as tables: leader line, nodes with their GPUs, engines with their load. */
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

/** The ModelAdapters: phase, replicas ready/desired, where loaded, the newest error. */
export function renderAdapters(rows: readonly AdapterRow[]): string[] {
  if (rows.length === 0) return ['ADAPTERS  none'];
  const lines = [
    `${'ADAPTER'.padEnd(28)} ${'BASE'.padEnd(20)} ${'PHASE'.padEnd(10)} READY  LOADED ON`,
  ];
  for (const a of rows) {
    lines.push(
      `${a.name.padEnd(28)} ${dash(a.baseModel).padEnd(20)} ${a.phase.padEnd(10)} ${`${dash(a.ready)}/${dash(a.desired)}`.padEnd(6)} ${a.instances.join(' ') || '-'}`,
    );
    if (a.lastError !== null) lines.push(`  last error: ${a.lastError}`);
  }
  return lines;
}

/** The PodAutoscalers: target, current → desired within min..max, signal, last decision. */
export function renderAutoscalers(rows: readonly AutoscalerRow[]): string[] {
  if (rows.length === 0) return ['AUTOSCALERS  none'];
  const lines = [
    `${'AUTOSCALER'.padEnd(28)} ${'TARGET'.padEnd(24)} ${'STRATEGY'.padEnd(8)} REPLICAS      SIGNAL / LAST DECISION`,
  ];
  for (const s of rows) {
    const replicas = `${dash(s.current)}→${dash(s.desired)} [${dash(s.min)}..${dash(s.max)}]`;
    lines.push(
      `${s.name.padEnd(28)} ${s.target.padEnd(24)} ${dash(s.strategy).padEnd(8)} ${replicas.padEnd(13)} ${dash(s.signal)}${s.lastDecision === null ? '' : `; ${s.lastDecision}`}`,
    );
  }
  return lines;
}

/** The KV cache: each KVCache's per-node L1 use, then the leader's global block index. */
export function renderKv(caches: readonly KvCacheRow[] | null, index: KvIndexRow | null): string[] {
  const lines: string[] = [];
  if (caches !== null) {
    if (caches.length === 0) lines.push('KV CACHES  none');
    for (const c of caches) {
      lines.push(`KV CACHE ${c.name}  ready nodes ${dash(c.current)}`);
      for (const n of c.nodes) {
        const pct =
          n.budgetBytes > 0 ? ` (${Math.round((n.usedBytes / n.budgetBytes) * 100)}%)` : '';
        lines.push(
          `  ${n.node.padEnd(16)} L1 ${formatBytes(n.usedBytes)} of ${formatBytes(n.budgetBytes)}${pct}, ${n.blocks} blocks`,
        );
      }
    }
  }
  if (index !== null) {
    lines.push(
      `KV INDEX  ${index.entries} blocks on ${index.engineCount} engines, ${index.nodeCount} nodes`,
    );
    for (const n of index.nodes)
      lines.push(
        `  ${n.node.padEnd(16)} L1 ${n.l1Blocks} blocks, engines ${n.engineBlocks} blocks`,
      );
  }
  return lines;
}

/** A whole frame: cluster, then each section the leader offers (absent ones are left out). */
export function renderSnapshot(s: StatusSnapshot): string[] {
  const lines = renderStatus(s.cluster);
  if (s.adapters !== null) lines.push('', ...renderAdapters(s.adapters));
  if (s.autoscalers !== null) lines.push('', ...renderAutoscalers(s.autoscalers));
  const kv = renderKv(s.kvCaches, s.kvIndex);
  if (kv.length > 0) lines.push('', ...kv);
  return lines;
}
