/**
 * The leak check: a local cluster under steady load, every request with a routing-strategy, model
 * and user never seen before, for a bounded time. Over the run the children must not warn about
 * listeners piling up, and the leader's and the agent's /metrics series and heap after GC must
 * stay flat after warm-up.
 *
 * Heap is read as heap *after a forced full GC*: the children run with `--expose-gc` and
 * INFERNODE_TEST_HEAP_AFTER_GC=1, so each scrape of `infernode_test_heap_used_after_gc_bytes`
 * collects first (src/shared/metrics.ts). Plain heap samples swing by tens of MB between
 * collections; after a full GC the same process is steady within a few MB, so the tolerance below
 * catches a real leak without flaking. Listener leaks are caught by Node's own
 * MaxListenersExceededWarning (more than 10 listeners on one signal), printed with
 * `--trace-warnings` to each child's log; series leaks by counting lines of /metrics.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { writeClusterFile } from '../helpers/cluster-files.js';

/** Load phases: series and heap are taken after warm-up and again at the end. */
const WARM_UP_MS = 5_000;
const STEADY_MS = 20_000;
const WORKERS = 4;
/** Heap after GC may grow this much over the steady phase (noise is ~1 MB; leaks are more). */
const HEAP_TOLERANCE_BYTES = 4 * 1024 * 1024;
/** Series that come and go on their own (nodejs_active_handles by type, GC kinds). */
const SERIES_TOLERANCE = 15;

let cluster: LocalCluster;
let logDir: string;
let client: OpenAI;
let agentMetricsUrl: string;

beforeAll(async () => {
  const { path } = await writeClusterFile({ nodes: 1, enginesPerNode: 2, speed: 200 });
  logDir = mkdtempSync(join(tmpdir(), 'infernode-leak-logs-'));
  cluster = await startLocalCluster({
    clusterFile: path,
    logDir,
    env: { NODE_OPTIONS: '--trace-warnings --expose-gc', INFERNODE_TEST_HEAP_AFTER_GC: '1' },
    // A fast scrape makes a per-cycle leak show within seconds (>10 listeners in ~1 s).
    agentArgs: ['--scrape-interval-ms', '100'],
    // Starting takes ~60 s on a busy 2-core machine; the e2e hook timeout is 120 s.
    readyTimeoutMs: 100_000,
  });
  client = new OpenAI({ baseURL: `${cluster.gatewayUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
  agentMetricsUrl = `${[...cluster.agentUrls.values()][0]!}/metrics`;
});

afterAll(async () => {
  await cluster.stop();
});

/** Series lines (not comments) and heap after GC of one process's /metrics. */
async function sample(url: string): Promise<{ series: number; heapBytes: number }> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const heap = lines.find((l) => l.startsWith('infernode_test_heap_used_after_gc_bytes '));
  return { series: lines.length, heapBytes: Number(heap?.split(' ')[1]) };
}

let sent = 0;
/** One request with a strategy, model and user no request used before. */
async function oneRequest(): Promise<number> {
  const i = sent++;
  const variants = [
    { model: 'test-model', strategy: `random:${i + 1},least-request:1` },
    { model: 'test-model', strategy: `no-such-strategy-${i}` },
    { model: `no-such-model-${i}`, strategy: 'least-request' },
  ];
  const { model, strategy } = variants[i % variants.length]!;
  try {
    await client.chat.completions.create(
      { model, messages: [{ role: 'user', content: `hi ${i}` }], max_completion_tokens: 2 },
      { headers: { 'routing-strategy': strategy, user: `user-${i}` } },
    );
    return 200;
  } catch (err) {
    if (err instanceof OpenAI.APIError && err.status !== undefined) return err.status;
    throw err;
  }
}

async function loadFor(ms: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  const deadline = Date.now() + ms;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (Date.now() < deadline) {
        const status = await oneRequest();
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

describe('leak check', () => {
  it('keeps listeners, /metrics series and heap after GC flat under distinct client values', async () => {
    await loadFor(WARM_UP_MS);
    const leaderUrl = `${cluster.controlUrl}/metrics`;
    // Sampled twice: the first scrape's forced GC adds the `major` GC-duration series (seen from
    // the next scrape on), which must be in the baseline.
    await Promise.all([sample(leaderUrl), sample(agentMetricsUrl)]);
    const [leader0, agent0] = [await sample(leaderUrl), await sample(agentMetricsUrl)];
    const sentBefore = sent;
    const statuses = await loadFor(STEADY_MS);
    const [leader1, agent1] = [await sample(leaderUrl), await sample(agentMetricsUrl)];

    // The load really ran with fresh values (a loaded 2-core machine manages ~15 requests/s).
    expect(sent - sentBefore).toBeGreaterThan(100);
    expect([...statuses.keys()].sort()).toEqual([200, 400, 404]);

    // Soft: one run reports every kind of growth, not just the first.
    expect
      .soft(leader1.series - leader0.series, 'leader series')
      .toBeLessThanOrEqual(SERIES_TOLERANCE);
    expect
      .soft(agent1.series - agent0.series, 'agent series')
      .toBeLessThanOrEqual(SERIES_TOLERANCE);
    expect(leader0.heapBytes).toBeGreaterThan(0);
    expect(agent0.heapBytes).toBeGreaterThan(0);
    expect
      .soft(leader1.heapBytes - leader0.heapBytes, 'leader heap')
      .toBeLessThanOrEqual(HEAP_TOLERANCE_BYTES);
    expect
      .soft(agent1.heapBytes - agent0.heapBytes, 'agent heap')
      .toBeLessThanOrEqual(HEAP_TOLERANCE_BYTES);

    const logs = readdirSync(logDir).map((f): [string, string] => [
      f,
      readFileSync(join(logDir, f), 'utf8'),
    ]);
    // The logs are really captured (the check below is not vacuous).
    expect(logs.map(([f]) => f)).toEqual(
      expect.arrayContaining(['leader.log', 'agent-node-a.log']),
    );
    expect(logs.find(([f]) => f === 'leader.log')![1]).toContain('gateway listening');
    for (const [file, text] of logs) {
      const warnings = text.split('\n').filter((l) => l.includes('MaxListenersExceededWarning'));
      expect.soft(warnings, file).toEqual([]);
    }
  });
});
