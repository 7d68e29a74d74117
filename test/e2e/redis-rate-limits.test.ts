/**
 * A leader configured to keep rate limits in Redis (`traffic.store: redis`, what gateway
 * replicas share) against a real redis-server: a user's requests-per-minute budget is enforced
 * and its counters are in Redis under the configured prefix, not in the leader's memory.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, writeClusterFile } from '../helpers/cluster-files.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startCli, type CliProcess } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const PREFIX = 'e2e-limits:';
let redis: RedisServer;
let leader: CliProcess;
let gatewayUrl: string;

beforeAll(async () => {
  redis = await startRedisServer();
  const { path } = await writeClusterFile({
    nodes: 1,
    enginesPerNode: 1,
    resources: [
      {
        apiVersion: 'infernode.io/v1alpha1',
        kind: 'RateLimitPolicy',
        metadata: { name: 'tight', namespace: 'infernode' },
        spec: { users: { 'limited-user': { rpm: 1 } } },
      },
    ],
  });
  const [gatewayPort, controlPort] = (await freePorts(2)) as [number, number];
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  leader = startCli(['leader', '--cluster-file', path, '--gateway-port', `${gatewayPort}`], {
    INFERNODE_CLUSTER_SECRET: 'e2e-secret-0123456789abcdef',
    INFERNODE_LEADER_CONTROL_PORT: `${controlPort}`,
    INFERNODE_LEADER_TRAFFIC_STORE: 'redis',
    INFERNODE_LEADER_TRAFFIC_REDIS_URL: redis.url,
    INFERNODE_LEADER_TRAFFIC_REDIS_KEY_PREFIX: PREFIX,
  });
  await waitFor(
    () => leader.output().stderr.includes('gateway listening') || leader.child.exitCode !== null,
    'the gateway listening',
    60_000,
  );
  expect(leader.child.exitCode).toBeNull();
});

afterAll(async () => {
  leader.child.kill('SIGTERM');
  await leader.exited(30_000);
  await redis.stop();
});

describe('rate limits in Redis', () => {
  it('enforces a user budget with its counters in Redis', async () => {
    const send = () =>
      fetch(`${gatewayUrl}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', user: 'limited-user' },
        body: JSON.stringify({ model: 'test-model', prompt: 'hi', max_tokens: 1 }),
      });
    // No engine runs here: the first request is admitted and then fails upstream.
    expect((await send()).status).not.toBe(429);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      const keys = await client.keys(`${PREFIX}*`);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });
});
