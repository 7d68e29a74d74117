/**
 * Scale from zero on the local cluster, end to end: a scale group at zero replicas and no
 * PodAutoscaler. `infernode up` serves at once (no engine to wait for); the first request for the
 * group's model is held by the gateway, the leader's ScaleFromZero sets the group to one replica,
 * `up` starts it, and the held request is served by it, with no error seen by the client.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleStatePath } from '../../src/discovery/adapters/index.js';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { writeScaleGroupFile, type ScaleGroupFile } from '../helpers/scale-group-files.js';

let group: ScaleGroupFile;
let cluster: LocalCluster;
const reports: string[] = [];

beforeAll(async () => {
  group = await writeScaleGroupFile({
    replicas: 0,
    maxReplicas: 2,
    // A cold start the request has to wait through.
    sim: { speed: 50, maxNumSeqs: 16, slowStartMs: 1500 },
  });
  cluster = await startLocalCluster({
    clusterFile: group.path,
    stateDir: join(group.dir, 'state'),
    logDir: join(group.dir, 'logs'),
    readyTimeoutMs: 120_000,
    report: (line) => reports.push(line),
  });
}, 180_000);

afterAll(async () => {
  await cluster.stop();
  await rm(group.dir, { recursive: true, force: true });
});

describe('a model whose scale group is at zero replicas', () => {
  it('serves its first request after scaling the group to one replica', async () => {
    expect(cluster.supervisor.pids().has('sim-node-a-pool-0')).toBe(false);
    const client = new OpenAI({
      baseURL: `${cluster.gatewayUrl}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
      timeout: 120_000,
    });
    const { data, response } = await client.chat.completions
      .create({
        model: 'test-model',
        messages: [{ role: 'user', content: 'hello from zero' }],
        max_completion_tokens: 4,
      })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]?.message.content?.length ?? 0).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBe(4);
    // Served by the replica the request brought up.
    expect(response.headers.get('target-pod')).toBe('node-a-pool-0');
    const state = JSON.parse(await readFile(scaleStatePath(group.path), 'utf8')) as unknown;
    expect(state).toEqual({ replicas: { pool: 1 } });
    expect(reports).toContain('scale up: starting sim-node-a-pool-0');
  }, 150_000);
});
