/** Routing: where requests went (per strategy, per engine) and the latest decisions with scores. */
import type { ConsoleRoutingDecision, ConsoleSnapshot } from '../console-snapshot.js';
import { badge, empty, h, section, table } from './dom.js';
import { clock, num, percent } from './format.js';
import { meter } from './overview-view.js';

/** How many recent decisions the table shows (the leader keeps up to 200). */
const SHOWN_DECISIONS = 50;

/** The Routing view for `snapshot`. */
export function renderRouting(snapshot: ConsoleSnapshot): HTMLElement {
  const routing = snapshot.routing;
  return h(
    'div',
    { class: 'view', 'data-view': 'routing' },
    h(
      'div',
      { class: 'columns' },
      section(
        'Requests per strategy',
        shares(routing.byStrategy, routing.requestsTotal, 'strategy'),
      ),
      section('Requests per engine', shares(routing.byEngine, routing.requestsTotal, 'engine')),
      section(
        'Prefix cache',
        h(
          'div',
          { class: 'tile' },
          h('div', { class: 'tile-value' }, percent(routing.prefixHitRatio)),
          h('div', { class: 'tile-label' }, 'of prefix-aware picks found a cached prefix'),
        ),
        h(
          'div',
          { class: 'tile' },
          h('div', { class: 'tile-value' }, num(routing.requestsTotal)),
          h('div', { class: 'tile-label' }, 'requests routed since the leader started'),
        ),
      ),
    ),
    section(
      'Recent routing decisions',
      routing.recent.length === 0
        ? empty('No request routed yet.')
        : table(
            ['Time', 'Model', 'Strategy', 'Picked', 'Why', 'Candidates (score)'],
            routing.recent.slice(0, SHOWN_DECISIONS).map(decisionRow),
            { class: 'decisions' },
          ),
    ),
  );
}

function shares(
  counts: Readonly<Record<string, number>>,
  total: number,
  what: string,
): HTMLElement {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) return empty(`No request per ${what} yet.`);
  return table(
    [what === 'engine' ? 'Engine' : 'Strategy', 'Requests', 'Share'],
    rows.map(([name, count]) =>
      h(
        'tr',
        { [`data-routed-${what}`]: name },
        h('td', { class: 'name' }, name),
        h('td', { class: 'num' }, num(count)),
        h('td', { class: 'num' }, meter(total > 0 ? count / total : null, Infinity)),
      ),
    ),
  );
}

function decisionRow(decision: ConsoleRoutingDecision): HTMLTableRowElement {
  return h(
    'tr',
    {},
    h('td', { class: 'nowrap' }, clock(decision.atMs)),
    h('td', {}, decision.model),
    h('td', {}, decision.strategy),
    h('td', { class: 'name nowrap' }, decision.picked ?? badge('none', 'bad')),
    h('td', {}, decision.reason),
    h(
      'td',
      {},
      ...decision.candidates.map((c) =>
        h(
          'span',
          { class: c.engine === decision.picked ? 'chip chip-picked' : 'chip' },
          `${c.engine} `,
          h('span', { class: 'muted' }, c.score === null ? '—' : num(c.score, 3)),
        ),
      ),
    ),
  );
}
