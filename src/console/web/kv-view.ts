/** KV cache: hit ratios per tier and each node's L1 store and indexed blocks. */
import type { ConsoleKvNode, ConsoleSnapshot } from '../console-snapshot.js';
import { empty, h, section, table } from './dom.js';
import { bytes, num, percent } from './format.js';
import { meter } from './overview-view.js';

/** The KV cache view for `snapshot`. */
export function renderKv(snapshot: ConsoleSnapshot): HTMLElement {
  const { hitRatio, nodes } = snapshot.kv;
  const tier = (label: string, ratio: number | null): HTMLElement =>
    h(
      'div',
      { class: 'tile', 'data-tier': label },
      h('div', { class: 'tile-value' }, percent(ratio)),
      h('div', { class: 'tile-label' }, `${label} hit ratio`),
    );
  return h(
    'div',
    { class: 'view', 'data-view': 'kv' },
    section(
      'Hit ratio per tier',
      h(
        'div',
        { class: 'tiles' },
        tier('GPU (engine prefix cache)', hitRatio.gpu),
        tier('L1 (node CPU memory)', hitRatio.l1),
        tier('L2 (shared store)', hitRatio.l2),
      ),
    ),
    section(
      'Per node',
      nodes.length === 0
        ? empty('No node reports a KV cache.')
        : table(
            ['Node', 'L1 used', 'L1 capacity', 'L1 usage', 'Indexed blocks'],
            nodes.map(kvRow),
            { class: 'kv-nodes' },
          ),
    ),
  );
}

function kvRow(node: ConsoleKvNode): HTMLTableRowElement {
  const usage =
    node.l1UsedBytes === null || node.l1CapacityBytes === null || node.l1CapacityBytes === 0
      ? null
      : node.l1UsedBytes / node.l1CapacityBytes;
  return h(
    'tr',
    { 'data-kv-node': node.node },
    h('td', { class: 'name' }, node.node),
    h('td', { class: 'num' }, bytes(node.l1UsedBytes)),
    h('td', { class: 'num' }, bytes(node.l1CapacityBytes)),
    h('td', { class: 'num' }, meter(usage)),
    h('td', { class: 'num' }, num(node.blocks)),
  );
}
