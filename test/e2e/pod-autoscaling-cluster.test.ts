/**
 * The PodAutoscaler on the local cluster, end to end: a scale group behind a KPA PodAutoscaler
 * (engine metric num_requests_running, short windows and cooldown by annotation). Load on the
 * model adds replicas within seconds (the leader writes the scale state, `up` starts simulators);
 * once the load is gone the group goes back to minReplicas after the cooldown, newest first.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleStatePath } from '../../src/discovery/adapters/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { writeScaleGroupFile, type ScaleGroupFile } from '../helpers/scale-group-files.js';
import { waitFor } from '../helpers/wait-for.js';

let group: ScaleGroupFile;
let cluster: LocalCluster;
const reports: string[] = [];

const desired = async (): Promise<number | undefined> =>
  (
    JSON.parse(await readFile(scaleStatePath(group.path), 'utf8')) as {
      replicas: Record<string, number>;
    }
  ).replicas.pool;
/** vLLM's extra sampling parameter, which the openai client's types do not know. */
const ignoreEos: object = { ignore_eos: true };
const replicaPids = (): string[] =>
  [...cluster.supervisor.pids().keys()].filter((n) => n.includes('-pool-')).sort();

beforeAll(async () => {
  group = await writeScaleGroupFile({
    replicas: 1,
    maxReplicas: 3,
    // Real time: a long generation keeps a request running for many seconds.
    sim: { speed: 1, maxNumSeqs: 16 },
    resources: [
      {
        apiVersion: 'infernode.io/v1alpha1',
        kind: 'PodAutoscaler',
        metadata: {
          name: 'pool',
          annotations: {
            'autoscaling.aibrix.ai/scale-down-cooldown-window': '3s',
          },
        },
        spec: {
          scaleTargetRef: { apiVersion: 'infernode.io/v1alpha1', kind: 'ScaleGroup', name: 'pool' },
          minReplicas: 1,
          maxReplicas: 3,
          scalingStrategy: 'KPA',
          observeWindowSeconds: 4,
          panicWindowSeconds: 2,
          metricsSources: [
            {
              // The agents' scrape of each replica (a pod source needs one port for all pods).
              metricSourceType: 'engine',
              targetMetric: 'num_requests_running',
              targetValue: '2',
            },
          ],
        },
      },
    ],
  });
  cluster = await startLocalCluster({
    clusterFile: group.path,
    stateDir: join(group.dir, 'state'),
    logDir: join(group.dir, 'logs'),
    readyTimeoutMs: 120_000,
    report: (line) => reports.push(line),
    leaderArgs: [
      '--autoscaling-resync-interval-ms',
      '500',
      '--autoscaling-sample-interval-ms',
      '250',
    ],
    agentArgs: ['--scrape-interval-ms', '250'],
  });
}, 180_000);

afterAll(async () => {
  await cluster.stop();
  await rm(group.dir, { recursive: true, force: true });
});

describe('a PodAutoscaler on a scale group', () => {
  it('adds replicas under load and removes them after the cooldown once it is gone', async () => {
    expect(replicaPids()).toEqual(['sim-node-a-pool-0']);
    const client = new OpenAI({
      baseURL: `${cluster.gatewayUrl}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
      timeout: 120_000,
    });
    const load = new AbortController();
    // Six long streams: 6 running on one replica against a target of 2 per replica.
    const streams = Array.from({ length: 6 }, async (_, i) => {
      const stream = await client.chat.completions.create(
        {
          model: 'test-model',
          messages: [{ role: 'user', content: `long request ${i}` }],
          max_completion_tokens: 4000,
          stream: true,
          // The simulator's text ends early otherwise; the request must run for many seconds.
          ...ignoreEos,
        },
        { signal: load.signal },
      );
      let chunks = 0;
      try {
        for await (const chunk of stream) if (chunk.choices[0]?.delta.content) chunks++;
      } catch (err) {
        if (!load.signal.aborted) throw err;
      }
      return chunks;
    });
    try {
      await waitFor(async () => ((await desired()) ?? 0) >= 2, 'a scale-up decision', 60_000, 100);
      await waitFor(() => replicaPids().length >= 2, 'replicas started', 60_000, 100);
      expect(reports).toContain('scale up: starting sim-node-b-pool-1');
    } finally {
      load.abort();
    }
    const chunks = await Promise.all(streams.map((s) => s.catch(() => -1)));
    // Every stream was served (none failed before the load was called off).
    expect(chunks.every((c) => c > 0)).toBe(true);

    await waitFor(async () => (await desired()) === 1, 'scale-down decision', 90_000, 100);
    await waitFor(() => replicaPids().length === 1, 'replicas stopped', 90_000, 100);
    expect(replicaPids()).toEqual(['sim-node-a-pool-0']);
    const draining = reports.filter((r) => r.startsWith('scale down: draining'));
    expect(draining.at(-1)).toBe('scale down: draining sim-node-b-pool-1');
  }, 240_000);
});
