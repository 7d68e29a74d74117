/**
 * The GPU optimizer's endpoint read as a PodAutoscaler reads it: profiles are real files in a
 * temp dir, the request log is filled through the gateway's tap, a round runs on real HiGHS, a
 * real HTTP server on loopback serves the optimizer's routes (the handler the control server
 * calls), and the autoscaling room's own external source (resolveMetricSources +
 * HttpMetricReader) reads the count that decideScale then scales to. A deployment without a
 * profile answers 503, so its source fails and nothing is scaled on it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideScale, resolveMetricSources } from '../../../src/autoscaling/index.js';
import { HttpMetricReader } from '../../../src/autoscaling/adapters/index.js';
import { GpuOptimizer } from '../../../src/leader/optimizer-wiring.js';
import { GPU_PROFILE_FORMAT } from '../../../src/optimizer/index.js';
import { AppError, createRegistry, silentLogger, type Clock } from '../../../src/shared/index.js';
import { aDecideInput } from '../../helpers/autoscaling-builders.js';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const profile = (gpu: string, costPerHour: number, chat: number, long: number): unknown => ({
  format: GPU_PROFILE_FORMAT,
  model: MODEL,
  gpu,
  costPerHour,
  slo: { ttftMs: 1000, tpotMs: 50, percentile: 99 },
  inputTokens: [512, 8192],
  outputTokens: [512],
  maxRps: [[chat], [long]],
});

let dir: string;
let server: Server;
let base: string;
let optimizer: GpuOptimizer;
const registry = createRegistry();
const nowMs = 1_700_000_000_000;
const clock: Clock = { now: () => nowMs, monotonicMs: () => performance.now() };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpu-profiles-'));
  await writeFile(join(dir, 'big.json'), JSON.stringify(profile('H100', 4, 10, 2)));
  await writeFile(join(dir, 'small.json'), JSON.stringify(profile('L40S', 1, 5, 0.25)));
  await writeFile(join(dir, 'broken.json'), '{"format": "nope"');
  optimizer = new GpuOptimizer({
    config: {
      deployments: [
        `ml/llama-h100=${MODEL}@H100:0`,
        `ml/llama-l40s=${MODEL}@L40S:0`,
        `ml/llama-a100=${MODEL}@A100`,
      ],
      profilesDir: dir,
      intervalMs: 60_000,
      windowS: 60,
      timeBudgetMs: 5000,
      logCapacity: 10_000,
    },
    clock,
    log: silentLogger(),
    registry,
  });
  server = createServer((req, res) => {
    if (!optimizer.serve((req.url ?? '/').split('?')[0] ?? '/', res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await optimizer.close();
  await rm(dir, { recursive: true, force: true });
});

const externalSource = (deployment: string) => {
  const resolved = resolveMetricSources(
    [
      {
        metricSourceType: 'external',
        protocolType: 'http',
        endpoint: base,
        path: `/v1/optimizer/metrics/ml/${deployment}`,
        targetMetric: 'vllm:deployment_replicas',
        targetValue: '1',
      },
    ],
    false,
  );
  expect(resolved.problems).toEqual([]);
  return resolved.sources[0] as Parameters<HttpMetricReader['read']>[0];
};
const reader = new HttpMetricReader({ prometheusUrl: undefined, timeoutMs: 10_000 });
const scope = () => ({
  namespace: 'ml',
  selector: undefined,
  pods: [],
  signal: AbortSignal.timeout(10_000),
});

describe('GPU optimizer endpoint', () => {
  it('answers 503 for every deployment before the first round', async () => {
    const res = await fetch(`http://${base}/v1/optimizer/metrics/ml/llama-h100`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('no optimizer round has finished yet');
  });

  it('serves the ILP mix that an external source reads and the PodAutoscaler scales to', async () => {
    // 60 s of load through the gateway tap: 10 chat req/s and 2 long req/s (the $6 mix:
    // 1 H100 for the long prompts, 2 L40S for the chat).
    for (let i = 0; i < 600; i++) optimizer.recordFinished(MODEL, 300, 200);
    for (let i = 0; i < 120; i++) optimizer.recordFinished(MODEL, 6000, 400);
    optimizer.recordFinished('other-model', 300, 200);
    // The default solver: HiGHS in a worker thread, so this round crossed a thread boundary.
    const round = await optimizer.refresh(AbortSignal.timeout(30_000));
    expect(round.models[0]?.allocation).toMatchObject({ method: 'ilp', costPerHour: 6 });
    const metrics = await registry.metrics();
    expect(metrics).toContain('infernode_optimizer_rounds_total{outcome="ok"} 1');
    expect(metrics).toContain(
      `infernode_optimizer_allocations_total{model="${MODEL}",method="ilp"} 1`,
    );
    expect(metrics).toContain(
      'infernode_optimizer_recommended_replicas{deployment="ml/llama-l40s"} 2',
    );
    expect(metrics).toContain(`infernode_optimizer_cost_per_hour{model="${MODEL}"} 6`);

    const all = await (await fetch(`http://${base}/v1/optimizer/metrics`)).text();
    expect(all).toContain(
      `vllm:deployment_replicas{namespace="ml",deployment="llama-h100",model_name="${MODEL}",gpu="H100"} 1`,
    );
    expect(all).toContain(
      `vllm:deployment_replicas{namespace="ml",deployment="llama-l40s",model_name="${MODEL}",gpu="L40S"} 2`,
    );

    const source = externalSource('llama-l40s');
    expect(source).toMatchObject({ kind: 'external', isReplicaCount: true });
    const value = await reader.read(source, scope());
    expect(value).toBe(2);
    const decision = decideScale(
      aDecideInput({
        strategy: 'HPA',
        currentReplicas: 1,
        readyReplicas: 1,
        signals: [
          { name: source.name, target: 1, stable: value, panic: value, isReplicaCount: true },
        ],
      }),
    );
    expect(decision.desired).toBe(2);
  });

  it('a deployment without a profile answers 503 and its source fails instead of reading 0', async () => {
    const res = await fetch(`http://${base}/v1/optimizer/metrics/ml/llama-a100`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe(
      `OPTIMIZER_PROFILE_MISSING: no GPU profile for model ${MODEL} on A100\n`,
    );
    const failure = await reader
      .read(externalSource('llama-a100'), scope())
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('AUTOSCALING_METRIC_SOURCE_FAILED');
    const unknown = await fetch(`http://${base}/v1/optimizer/metrics/ml/nope`);
    expect(unknown.status).toBe(404);
  });
});
