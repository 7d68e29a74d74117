/** Autoscalers: each PodAutoscaler's replicas, the signal it scales on and its last decisions. */
import type { ConsoleAutoscaler, ConsoleSnapshot } from '../console-snapshot.js';
import { empty, h, section, table } from './dom.js';
import { clock, num } from './format.js';

/** The Autoscalers view for `snapshot`. */
export function renderAutoscalers(snapshot: ConsoleSnapshot): HTMLElement {
  return h(
    'div',
    { class: 'view', 'data-view': 'autoscalers' },
    snapshot.autoscalers.length === 0
      ? section('Autoscalers', empty('No PodAutoscaler in the cluster.'))
      : h('div', { class: 'columns' }, ...snapshot.autoscalers.map(autoscalerCard)),
  );
}

function autoscalerCard(a: ConsoleAutoscaler): HTMLElement {
  const scaling = a.current !== null && a.desired !== null && a.current !== a.desired;
  return section(
    `${a.namespace}/${a.name}`,
    h(
      'div',
      { class: 'tiles', 'data-autoscaler': `${a.namespace}/${a.name}` },
      h(
        'div',
        { class: scaling ? 'tile tile-warn' : 'tile' },
        h('div', { class: 'tile-value' }, `${num(a.current)} → ${num(a.desired)}`),
        h('div', { class: 'tile-label' }, `replicas (min ${a.minReplicas}, max ${a.maxReplicas})`),
      ),
      h(
        'div',
        { class: 'tile' },
        h('div', { class: 'tile-value' }, `${num(a.signal.value, 2)} / ${num(a.signal.target, 2)}`),
        h('div', { class: 'tile-label' }, `${a.signal.metric} (value / target)`),
      ),
    ),
    h('p', { class: 'muted' }, `${a.strategy} scaling ${a.target}`),
    a.decisions.length === 0
      ? empty('No scaling decision yet.')
      : table(
          ['Time', 'Replicas', 'Reason'],
          a.decisions.map((d) =>
            h(
              'tr',
              {},
              h('td', { class: 'nowrap' }, clock(d.atMs)),
              h('td', { class: 'num nowrap' }, `${d.from} → ${d.to}`),
              h('td', {}, d.reason),
            ),
          ),
        ),
  );
}
