/**
 * The web console in a real browser (Debian's chromium driven by playwright-core) against the
 * local cluster's real leader: the page loads with no console error and no failed request, shows
 * every engine, and updates live — without a reload — when an engine is killed and when a GPU
 * fails (a fake nvidia-smi and a kernel-log file per node, as in gpu-failure.test.ts).
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childName, startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { writeClusterFile } from '../helpers/cluster-files.js';

let cluster: LocalCluster | undefined;
let browser: Browser | undefined;
let page: Page;
/** Everything the page did wrong: console errors, uncaught exceptions, failed or 4xx/5xx requests. */
const problems: string[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'infernode-console-'));

async function sendTraffic(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${cluster!.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'test-model',
        messages: [{ role: 'user', content: `hello ${i}` }],
        max_tokens: 2,
      }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
}

const engineState = (id: string): Promise<string | null> =>
  page.locator(`tr[data-engine="${id}"]`).getAttribute('data-state', { timeout: 5000 });

beforeAll(async () => {
  const { path } = await writeClusterFile({
    nodes: 2,
    enginesPerNode: 2,
    nodeEnv: (n) => {
      const node = n === 0 ? 'a' : 'b';
      writeFileSync(join(tmp, `scenario-${node}.json`), JSON.stringify({ gpus: 2 }));
      writeFileSync(join(tmp, `kmsg-${node}.log`), '');
      return {
        INFERNODE_FAKE_GPU_SCENARIO: join(tmp, `scenario-${node}.json`),
        INFERNODE_KMSG_PATH: join(tmp, `kmsg-${node}.log`),
      };
    },
  });
  cluster = await startLocalCluster({
    clusterFile: path,
    env: { PATH: `${resolve('test/fixtures/bin')}:${process.env.PATH ?? ''}` },
    agentArgs: [
      '--scrape-interval-ms',
      '200',
      '--gpu-probe-interval-ms',
      '300',
      '--gpu-kmsg-poll-interval-ms',
      '100',
      // Long enough that the failed GPU stays failed while the test looks at the page.
      '--gpu-healthy-hold-down-ms',
      '600000',
    ],
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
    headless: true,
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (r) =>
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`),
  );
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

describe('the web console in chromium', () => {
  it('shows the cluster live: engines, then a killed engine and a failed GPU without a reload', async () => {
    await sendTraffic(8);
    await page.goto(`${cluster!.controlUrl}/console`);
    await page.locator('.status[data-status="live"]').waitFor({ timeout: 30_000 });
    for (const id of ['node-a/engine-0', 'node-a/engine-1', 'node-b/engine-0', 'node-b/engine-1'])
      await page
        .locator(`tr[data-engine="${id}"][data-state="ready"]`)
        .waitFor({ timeout: 30_000 });
    await page.locator('[data-gpu="node-a/1"][data-health="healthy"]').waitFor();
    // A mark in the page's memory: it must survive everything below (no reload).
    await page.evaluate(() => {
      (globalThis as unknown as { consoleTestMark: string }).consoleTestMark = 'same page';
    });

    // The engine's process dies: its row leaves "ready" on the page.
    await cluster!.supervisor.stop(childName.sim('node-b', 'engine-0'));
    await page
      .locator('tr[data-engine="node-b/engine-0"]:not([data-state="ready"])')
      .waitFor({ timeout: 60_000 });
    expect(await engineState('node-b/engine-0')).not.toBe('ready');

    // GPU 1 of node-a falls off the bus: the GPU shows failed, its engine gpuFailed.
    appendFileSync(
      join(tmp, 'kmsg-a.log'),
      `3,9001,${Date.now() * 1000},-;NVRM: Xid (PCI:0000:3b:00): 79, pid=4242, name=python3, GPU has fallen off the bus.\n`,
    );
    await page.locator('[data-gpu="node-a/1"][data-health="failed"]').waitFor({ timeout: 60_000 });
    await page
      .locator('tr[data-engine="node-a/engine-1"][data-state="gpuFailed"]')
      .waitFor({ timeout: 60_000 });
    expect(await engineState('node-a/engine-0')).toBe('ready');

    // The other views render from the same live state.
    await page.click('a[data-tab="routing"]');
    await page.locator('[data-view="routing"] tr[data-routed-engine]').first().waitFor();
    await page.click('a[data-tab="events"]');
    await page.locator('[data-view="events"]').waitFor();
    for (const tab of ['adapters', 'autoscalers', 'kv']) {
      await page.click(`a[data-tab="${tab}"]`);
      await page.locator(`[data-view="${tab}"]`).waitFor();
    }

    expect(
      await page.evaluate(
        () => (globalThis as unknown as { consoleTestMark?: string }).consoleTestMark,
      ),
    ).toBe('same page');
    expect(problems).toEqual([]);
  });
});
