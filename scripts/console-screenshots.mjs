#!/usr/bin/env node
/**
 * Takes the README's screenshots of the web console (docs/console/*.png) from the real page of a
 * running cluster: sends chat traffic through the gateway for a while (so routing counts, KV and
 * the per-engine charts have data), then opens each view in Debian's chromium (playwright-core)
 * and saves it. Start the cluster first, in another terminal:
 *
 *   PATH=$PWD/test/fixtures/bin:$PATH INFERNODE_FAKE_GPU_SCENARIO=<file with {"gpus":2}> npm start
 *   node scripts/console-screenshots.mjs [--control-url http://127.0.0.1:8081]
 *     [--gateway-url http://127.0.0.1:8080] [--traffic-seconds 90] [--out docs/console]
 *     [--token TOKEN]
 *
 * (The fake nvidia-smi gives the simulated nodes GPUs to show; without it the agents report none.)
 */
/* global fetch, AbortSignal, AbortController, setTimeout, sessionStorage */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    'control-url': { type: 'string', default: 'http://127.0.0.1:8081' },
    'gateway-url': { type: 'string', default: 'http://127.0.0.1:8080' },
    'traffic-seconds': { type: 'string', default: '90' },
    concurrency: { type: 'string', default: '12' },
    out: { type: 'string', default: 'docs/console' },
    token: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
const log = (line) => process.stdout.write(`${line}\n`);

/** Conversations sharing system prompts, so prefix-aware routing has prefixes to find. */
const SYSTEM = [
  'You are a concise assistant for a travel agency. Answer in two sentences.',
  'You are a code reviewer. Point out the single most important problem in the snippet.',
  'You summarise support tickets for an on-call engineer in one line.',
];

async function oneRequest(model, i, signal) {
  const res = await fetch(`${args['gateway-url']}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model,
      messages: [
        { role: 'system', content: SYSTEM[i % SYSTEM.length] },
        { role: 'user', content: `Request ${i}: ${'tell me more about it. '.repeat(1 + (i % 7))}` },
      ],
      max_tokens: 16 + (i % 48),
    }),
    signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]),
  });
  await res.arrayBuffer();
}

/** Runs `concurrency` request loops until `signal` aborts; returns how many requests were sent. */
async function traffic(model, concurrency, signal) {
  let sent = 0;
  const loop = async () => {
    while (!signal.aborted) {
      const i = sent++;
      await oneRequest(model, i, signal).catch(() => undefined);
      // Bursty load: some loops pause, so the charts show rises and falls.
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 500 + (i % 4) * 400));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return sent;
}

const models = await (
  await fetch(`${args['gateway-url']}/v1/models`, { signal: AbortSignal.timeout(10_000) })
).json();
const model = models.data?.[0]?.id;
if (model === undefined) throw new Error(`no model served at ${args['gateway-url']}`);
const stop = new AbortController();
log(`sending traffic to ${model} for ${args['traffic-seconds']} s…`);
const load = traffic(model, Number(args.concurrency), stop.signal);
await new Promise((r) => setTimeout(r, Number(args['traffic-seconds']) * 1000));

mkdirSync(args.out, { recursive: true });
const browser = await chromium.launch({
  executablePath: args.chromium,
  args: ['--no-sandbox'],
  headless: true,
});
try {
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
    colorScheme: 'light',
  });
  if (args.token !== undefined) {
    await page.addInitScript(
      (token) => sessionStorage.setItem('infernode.console.token', token),
      args.token,
    );
  }
  for (const view of ['overview', 'routing', 'kv', 'events', 'adapters', 'autoscalers']) {
    await page.goto(`${args['control-url']}/console#${view}`);
    await page.locator('.status[data-status="live"]').waitFor({ timeout: 30_000 });
    await page.locator(`[data-view="${view}"]`).waitFor();
    // Let one more push arrive and the charts draw.
    await page.waitForTimeout(2500);
    const path = join(args.out, `${view}.png`);
    // The overview whole (its charts are below the fold); the long tables cut at the viewport
    // (the README's images stay under 300 KB).
    await page.screenshot({ path, fullPage: view === 'overview' });
    log(`wrote ${path}`);
  }
} finally {
  await browser.close();
  stop.abort();
  log(`${await load} requests sent`);
}
