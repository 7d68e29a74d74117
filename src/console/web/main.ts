/**
 * The web console's entry: the page shell (header, token field, tabs), the live feed, and the
 * render of the visible view whenever a new state arrives. Views are plain functions from a
 * ConsoleSnapshot to DOM; only the charts persist between renders. The tab is in the URL hash
 * (#routing, #kv…) so a link or a reload opens the same view.
 */
import type { ConsoleSnapshot } from '../console-snapshot.js';
import { renderAdapters } from './adapters-view.js';
import { renderAutoscalers } from './autoscalers-view.js';
import { h, section } from './dom.js';
import { EngineCharts } from './engine-charts.js';
import { renderEvents } from './events-view.js';
import { startFeed, type FeedStatus } from './feed.js';
import { ago } from './format.js';
import { renderKv } from './kv-view.js';
import { renderOverview } from './overview-view.js';
import { renderRouting } from './routing-view.js';
import { loadToken, saveToken } from './token-store.js';

const VIEWS = {
  overview: { title: 'Overview', render: renderOverview },
  routing: { title: 'Routing', render: renderRouting },
  adapters: { title: 'Adapters', render: renderAdapters },
  autoscalers: { title: 'Autoscalers', render: renderAutoscalers },
  kv: { title: 'KV cache', render: renderKv },
  events: { title: 'Events', render: renderEvents },
} as const;
type ViewName = keyof typeof VIEWS;

const isView = (name: string): name is ViewName => Object.hasOwn(VIEWS, name);
const currentView = (): ViewName => {
  const name = location.hash.slice(1);
  return isView(name) ? name : 'overview';
};

const statusPill = h('span', { class: 'status', 'data-status': 'connecting' }, 'connecting…');
const leaderLine = h('span', { class: 'leader muted' });
const tokenInput = h('input', {
  type: 'password',
  placeholder: 'control API token',
  autocomplete: 'off',
  'aria-label': 'control API token',
});
tokenInput.value = loadToken() ?? '';
const tokenForm = h(
  'form',
  { class: 'token' },
  tokenInput,
  h('button', { type: 'submit' }, 'Use token'),
);
const tabs = h(
  'nav',
  { class: 'tabs' },
  ...Object.entries(VIEWS).map(([name, view]) =>
    h('a', { href: `#${name}`, 'data-tab': name }, view.title),
  ),
);
const content = h(
  'main',
  { class: 'content' },
  section('Connecting', h('p', { class: 'muted' }, 'Waiting for the leader’s first snapshot…')),
);
const charts = new EngineCharts();
const chartsSection = section('Last minutes per engine', charts.element);

document.body.replaceChildren(
  h('header', { class: 'top' }, h('h1', {}, 'infernode'), leaderLine, statusPill, tokenForm),
  tabs,
  content,
);

let latest: ConsoleSnapshot | undefined;
let pending = false;

function render(): void {
  pending = false;
  const view = currentView();
  for (const tab of tabs.querySelectorAll('a'))
    tab.classList.toggle('active', tab.dataset.tab === view);
  if (latest === undefined) return;
  const snapshot = latest;
  leaderLine.textContent = `leader ${snapshot.leader.identity} · v${snapshot.leader.version} · updated ${ago(snapshot.generatedAtMs, Date.now())}`;
  const body = VIEWS[view].render(snapshot);
  if (view === 'overview') body.append(chartsSection);
  content.replaceChildren(body);
  if (view === 'overview') charts.update(snapshot.series);
}

/** Renders on the next frame, once, however many states arrived meanwhile. */
function scheduleRender(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(render);
}

function showStatus(status: FeedStatus, detail: string): void {
  statusPill.dataset.status = status;
  statusPill.textContent = status === 'live' ? 'live' : detail;
  document.body.classList.toggle('stale', status !== 'live');
}

const feed = startFeed({
  url: '/v1/console/stream',
  token: loadToken,
  signal: new AbortController().signal,
  listener: {
    snapshot(snapshot) {
      latest = snapshot;
      scheduleRender();
    },
    status: showStatus,
  },
});

tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  saveToken(tokenInput.value.trim());
  feed.reconnect();
});
window.addEventListener('hashchange', scheduleRender);
window.addEventListener('resize', scheduleRender);
