/** Adapters: each LoRA ModelAdapter, where it is loaded, its phase and its last error. */
import type { ConsoleAdapter, ConsoleSnapshot } from '../console-snapshot.js';
import { badge, empty, h, section, table } from './dom.js';
import { num } from './format.js';

/** The Adapters view for `snapshot`. */
export function renderAdapters(snapshot: ConsoleSnapshot): HTMLElement {
  return h(
    'div',
    { class: 'view', 'data-view': 'adapters' },
    section(
      'LoRA adapters',
      snapshot.adapters.length === 0
        ? empty('No ModelAdapter in the cluster.')
        : table(
            ['Adapter', 'Base model', 'Phase', 'Loaded on', 'Replicas', 'Last error'],
            snapshot.adapters.map(adapterRow),
            { class: 'adapters' },
          ),
    ),
  );
}

function phaseKind(phase: string | null): string {
  if (phase === null) return 'muted';
  if (phase === 'Running') return 'ok';
  if (phase === 'Failed') return 'bad';
  return 'warn';
}

function adapterRow(adapter: ConsoleAdapter): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-adapter': `${adapter.namespace}/${adapter.name}` },
    h('td', { class: 'name' }, adapter.name, h('div', { class: 'muted' }, adapter.namespace)),
    h('td', {}, adapter.baseModel),
    h('td', {}, badge(adapter.phase ?? 'pending', phaseKind(adapter.phase))),
    h(
      'td',
      {},
      adapter.loadedOn.length === 0
        ? h('span', { class: 'muted' }, 'nowhere')
        : h('div', {}, ...adapter.loadedOn.map((e) => h('span', { class: 'chip' }, e))),
    ),
    h('td', { class: 'num' }, `${adapter.loadedOn.length} / ${num(adapter.desiredReplicas)}`),
    h('td', { class: adapter.lastError === null ? 'muted' : 'error' }, adapter.lastError ?? 'none'),
  );
}
