/** Events: the leader's recent events (GPU failures, drains, scale events, adapter moves…). */
import type { ConsoleEvent, ConsoleSnapshot } from '../console-snapshot.js';
import { badge, empty, h, section, table } from './dom.js';
import { clock } from './format.js';

/** The Events view for `snapshot`. */
export function renderEvents(snapshot: ConsoleSnapshot): HTMLElement {
  return h(
    'div',
    { class: 'view', 'data-view': 'events' },
    section(
      'Recent events',
      snapshot.events.length === 0
        ? empty('Nothing has happened yet.')
        : table(['Time', 'Kind', 'Subject', 'What happened'], snapshot.events.map(eventRow), {
            class: 'events',
          }),
    ),
  );
}

function eventRow(event: ConsoleEvent): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-event-kind': event.kind, class: event.severity === 'warning' ? 'row-warn' : undefined },
    h('td', { class: 'nowrap' }, clock(event.atMs)),
    h('td', {}, badge(event.kind, event.severity === 'warning' ? 'warn' : 'muted')),
    h('td', { class: 'name' }, event.subject),
    h('td', {}, event.message),
  );
}
