#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (as `infernode bench gateway --cpu-prof-dir` writes them): self time
// by group (node's HTTP machinery, body read/parse, routing, usage sniffing, metrics, ...) and the
// top functions by self time, as markdown. Usage: node scripts/cpu-profile-summary.mjs FILE [TOP]
// The groups are matched on the function's script URL and name, first match wins; they are a
// reading aid, so anything unmatched stays visible as "other".
import { readFileSync } from 'node:fs';
import process from 'node:process';

const [file, topArg = '25'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: cpu-profile-summary.mjs FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));

// Self time per node: samples that landed on it times the mean sampling interval.
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
const totalUs = profile.endTime - profile.startTime;
const usPerSample = totalUs / Math.max(profile.samples.length, 1);

const GROUPS = [
  [
    'idle / GC / program',
    (u, n) => u === '' && ['(idle)', '(garbage collector)', '(program)'].includes(n),
  ],
  ['routing pick + prefix index', (u) => /\/(routing|kvcache)\//.test(u)],
  ['usage sniffing + relay', (u) => /gateway\/(usage-sniffer|relay)\./.test(u)],
  [
    'body read + parse',
    (u) => /gateway\/(read-request-body|parse-request|body-budget)\.|engine\/|json-depth/.test(u),
  ],
  ['metrics (prom-client)', (u) => /prom-client/.test(u)],
  ['logging (pino)', (u) => /pino/.test(u)],
  ['gateway: admit, upstream, in-flight, other', (u) => /\/gateway\//.test(u)],
  ['traffic (admission, rate limits)', (u) => /\/traffic\//.test(u)],
  [
    'leader / agent hub / state',
    (u) => /\/(leader|protocol|fleet|controllers|autoscaling)\//.test(u),
  ],
  ['other infernode', (u) => /\/dist\//.test(u)],
  [
    'node http (server, client, agent, parser)',
    (u, n) =>
      /node:_http|node:http|node:net|node:_http_agent/.test(u) ||
      /HTTPParser|parserOnHeadersComplete|parserOnBody/.test(n),
  ],
  [
    'node streams, events, timers',
    (u) => /node:internal\/(streams|events|timers)|node:events|node:stream/.test(u),
  ],
  ['abort signals', (u) => /abort_controller|node:internal\/abort/.test(u)],
  ['native / runtime (writev, uv, GC-less builtins)', (u) => u === ''],
  ['other node internals', (u) => u.startsWith('node:')],
];

const byGroup = new Map();
const byFn = new Map();
let sampled = 0;
for (const node of profile.nodes) {
  const n = counts.get(node.id) ?? 0;
  if (n === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  const group = GROUPS.find(([, match]) => match(url, name))?.[0] ?? 'other';
  const us = n * usPerSample;
  byGroup.set(group, (byGroup.get(group) ?? 0) + us);
  const short = url.replace(/^.*\/dist\//, '').replace(/^file:\/\//, '');
  const key = `${name} ${short}${url === '' ? '' : `:${lineNumber + 1}`}`;
  const prev = byFn.get(key) ?? { us: 0, group };
  byFn.set(key, { us: prev.us + us, group });
  sampled += us;
}
const busy = sampled - (byGroup.get('idle / GC / program') ?? 0);
const pct = (us, of) => `${((100 * us) / of).toFixed(1)}%`;
const ms = (us) => (us / 1000).toFixed(0);
const lines = [
  `Profile ${file.replace(/^.*\//, '')}: ${ms(totalUs)} ms wall, ${ms(busy)} ms busy (not idle/GC/program).`,
  '',
  '| group | self ms | % of busy |',
  '|---|---|---|',
  ...[...byGroup]
    .filter(([g]) => g !== 'idle / GC / program')
    .sort((a, b) => b[1] - a[1])
    .map(([g, us]) => `| ${g} | ${ms(us)} | ${pct(us, busy)} |`),
  `| (idle / GC / program, not in %) | ${ms(byGroup.get('idle / GC / program') ?? 0)} | |`,
  '',
  `| top ${topArg} functions by self time | group | self ms | % of busy |`,
  '|---|---|---|---|',
  ...[...byFn]
    .filter(([, v]) => v.group !== 'idle / GC / program')
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, Number(topArg))
    .map(([k, v]) => `| \`${k}\` | ${v.group} | ${ms(v.us)} | ${pct(v.us, busy)} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
