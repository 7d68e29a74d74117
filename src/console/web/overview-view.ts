/** Overview: the cluster at a glance — nodes with their GPUs, then every engine's load. */
import type {
  ConsoleEngine,
  ConsoleGpu,
  ConsoleNode,
  ConsoleSnapshot,
} from '../console-snapshot.js';
import { badge, empty, h, section, table } from './dom.js';
import { ago, bytes, millis, num, percent, UNKNOWN } from './format.js';

/** The Overview view for `snapshot` (charts are added by the page, which keeps them alive). */
export function renderOverview(snapshot: ConsoleSnapshot): HTMLElement {
  return h(
    'div',
    { class: 'view', 'data-view': 'overview' },
    summary(snapshot),
    section(
      'Nodes and GPUs',
      snapshot.nodes.length === 0
        ? empty('No node has reported yet.')
        : table(
            ['Node', 'Agent', 'Last report', 'GPUs'],
            snapshot.nodes.map((node) => nodeRow(node, snapshot.generatedAtMs)),
            { class: 'nodes' },
          ),
    ),
    section(
      'Engines',
      snapshot.engines.length === 0
        ? empty('No engine is known yet.')
        : table(
            [
              'Engine',
              'Model',
              'State',
              'Running',
              'Waiting',
              'KV cache',
              'TTFT',
              'Tokens/s',
              'Adapters',
            ],
            snapshot.engines.map(engineRow),
            { class: 'engines' },
          ),
    ),
  );
}

function summary(snapshot: ConsoleSnapshot): HTMLElement {
  const gpus = snapshot.nodes.flatMap((n) => n.gpus);
  const ready = snapshot.engines.filter((e) => e.state === 'ready').length;
  const healthy = gpus.filter((g) => g.health === 'healthy').length;
  const tile = (label: string, value: string, warn: boolean): HTMLElement =>
    h(
      'div',
      { class: warn ? 'tile tile-warn' : 'tile' },
      h('div', { class: 'tile-value' }, value),
      h('div', { class: 'tile-label' }, label),
    );
  return h(
    'div',
    { class: 'tiles' },
    tile(
      'nodes connected',
      `${snapshot.nodes.filter((n) => n.connected).length} / ${snapshot.nodes.length}`,
      snapshot.nodes.some((n) => !n.connected),
    ),
    tile('GPUs healthy', `${healthy} / ${gpus.length}`, healthy < gpus.length),
    tile('engines ready', `${ready} / ${snapshot.engines.length}`, ready < snapshot.engines.length),
    tile('requests routed', num(snapshot.routing.requestsTotal), false),
    tile('prefix hit ratio', percent(snapshot.routing.prefixHitRatio), false),
  );
}

function nodeRow(node: ConsoleNode, nowMs: number): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-node': node.name },
    h('td', { class: 'name' }, node.name),
    h(
      'td',
      {},
      node.connected ? badge('connected', 'ok') : badge('lost', 'bad'),
      ' ',
      h('span', { class: 'muted' }, node.agentVersion ?? ''),
    ),
    h('td', {}, ago(node.lastReportMs, nowMs)),
    h(
      'td',
      {},
      node.gpus.length === 0
        ? h('span', { class: 'muted' }, 'no GPU reported')
        : h('div', { class: 'gpus' }, ...node.gpus.map((gpu) => gpuCell(node.name, gpu))),
    ),
  );
}

function gpuCell(node: string, gpu: ConsoleGpu): HTMLElement {
  const kind = gpu.health === 'healthy' ? 'ok' : gpu.health === 'degraded' ? 'warn' : 'bad';
  const memory =
    gpu.memoryUsedBytes === null || gpu.memoryTotalBytes === null
      ? UNKNOWN
      : `${bytes(gpu.memoryUsedBytes)} / ${bytes(gpu.memoryTotalBytes)}`;
  return h(
    'div',
    {
      class: `gpu gpu-${kind}`,
      'data-gpu': `${node}/${gpu.index}`,
      'data-health': gpu.health,
      title: [gpu.uuid, ...gpu.reasons].join('\n'),
    },
    h(
      'div',
      { class: 'gpu-head' },
      h('strong', {}, `GPU ${gpu.index}`),
      ' ',
      badge(gpu.health, kind),
    ),
    h(
      'div',
      { class: 'gpu-facts' },
      `${gpu.temperatureC === null ? UNKNOWN : `${gpu.temperatureC} °C`} · ${gpu.powerW === null ? UNKNOWN : `${Math.round(gpu.powerW)} W`}`,
    ),
    h('div', { class: 'gpu-facts' }, memory),
    gpu.reasons.length > 0 && h('div', { class: 'gpu-reason' }, gpu.reasons.join('; ')),
  );
}

/** The badge colour of an engine state. */
export function stateKind(state: ConsoleEngine['state']): string {
  switch (state) {
    case 'ready':
      return 'ok';
    case 'draining':
    case 'stale':
      return 'warn';
    case 'gpuFailed':
    case 'down':
      return 'bad';
  }
}

function engineRow(engine: ConsoleEngine): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-engine': engine.id, 'data-state': engine.state },
    h('td', { class: 'name', title: engine.url }, engine.id),
    h('td', {}, engine.model),
    h(
      'td',
      { class: 'state' },
      badge(engine.state, stateKind(engine.state)),
      engine.ejected && badge('ejected', 'warn'),
      engine.error !== null && h('div', { class: 'error' }, engine.error),
    ),
    h('td', { class: 'num' }, num(engine.running)),
    h('td', { class: 'num' }, num(engine.waiting)),
    h('td', { class: 'num' }, meter(engine.kvUsage)),
    h('td', { class: 'num' }, millis(engine.ttftMs)),
    h('td', { class: 'num' }, num(engine.generationTokensPerSecond, 1)),
    h(
      'td',
      {},
      engine.adapters.length === 0
        ? h('span', { class: 'muted' }, 'none')
        : engine.adapters.join(', '),
    ),
  );
}

/** A 0–1 ratio as a small bar with its percentage; red above `hotAbove` (a full cache, not a share). */
export function meter(ratio: number | null, hotAbove = 0.9): HTMLElement {
  if (ratio === null) return h('span', {}, UNKNOWN);
  const bar = h('span', { class: 'meter-fill' });
  bar.style.width = `${Math.min(100, Math.max(0, ratio * 100)).toFixed(0)}%`;
  return h(
    'span',
    { class: 'meter-wrap' },
    h('span', { class: ratio > hotAbove ? 'meter meter-hot' : 'meter' }, bar),
    percent(ratio),
  );
}
