import { beforeAll, describe, expect, it } from 'vitest';
import {
  GPU_PROFILE_FORMAT,
  parseOptimizerDeployment,
  parseOptimizerDeployments,
  recommendReplicas,
  renderDeploymentReplicas,
  type GpuProfile,
  type LpSolver,
} from '../../../src/optimizer/index.js';
import { loadHighsSolver } from '../../../src/optimizer/adapters/index.js';

let highs: LpSolver;
beforeAll(async () => {
  highs = await loadHighsSolver();
}, 60_000);

const profile = (gpu: string, costPerHour: number, chat: number, long: number): GpuProfile => ({
  format: GPU_PROFILE_FORMAT,
  model: 'm',
  gpu,
  costPerHour,
  slo: { ttftMs: 1000, tpotMs: 50, percentile: 99 },
  inputTokens: [512, 8192],
  outputTokens: [512],
  maxRps: [[chat], [long]],
});

describe('parseOptimizerDeployment', () => {
  it('reads namespace/name=model@GPU[:min], the model may hold slashes', () => {
    expect(
      parseOptimizerDeployment('prod/llama-h100=meta-llama/Llama-3.1-8B-Instruct@H100:2'),
    ).toEqual({
      namespace: 'prod',
      name: 'llama-h100',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      gpu: 'H100',
      minReplicas: 2,
    });
    expect(parseOptimizerDeployment('a/b=m@L40S')).toMatchObject({ minReplicas: 1 });
  });

  it('names what is wrong with a bad entry', () => {
    expect(parseOptimizerDeployment('a/b')).toMatch(/expected namespace\/name=model@GPU/);
    expect(parseOptimizerDeployment('ab=m@H100')).toMatch(/must be namespace\/name/);
    expect(parseOptimizerDeployment('a/B_=m@H100')).toMatch(/Kubernetes names/);
    expect(parseOptimizerDeployment('a/b=@H100')).toMatch(/no model/);
    expect(parseOptimizerDeployment('a/b=m@H100:-1')).toMatch(/minReplicas/);
    expect(parseOptimizerDeployments(['a/b=m@H100', 'a/b=m@A100']).problems).toEqual([
      '"a/b=m@A100": deployment a/b is listed twice',
    ]);
  });
});

describe('recommendReplicas', () => {
  const deployments = parseOptimizerDeployments([
    'ns/m-big=m@BIG:0',
    'ns/m-small=m@small:0',
    'ns/m-orphan=m@L40S',
  ]).deployments;
  const profiles = [profile('BIG', 4, 10, 2), profile('SMALL', 1, 5, 0.25)];
  // 60 s window: 600 chat requests (10/s) and 120 long ones (2/s): the hand-checked $6 mix.
  const window = [
    ...Array.from({ length: 600 }, () => ({ inputTokens: 300, outputTokens: 200 })),
    ...Array.from({ length: 120 }, () => ({ inputTokens: 6000, outputTokens: 400 })),
  ];

  it('clusters the window, solves per model and gives each deployment its count', async () => {
    const round = await recommendReplicas(
      { atMs: 1, deployments, profiles, requests: () => window, windowS: 60, timeBudgetS: 5 },
      highs,
    );
    expect(round.models[0]?.allocation.method).toBe('ilp');
    expect(round.models[0]?.allocation.costPerHour).toBe(6);
    const counts = Object.fromEntries(
      round.recommendations.map((r) => [r.deployment.name, r.replicas]),
    );
    expect(counts).toEqual({ 'm-big': 1, 'm-small': 2, 'm-orphan': null });
    expect(round.recommendations.find((r) => r.replicas === null)?.problem).toEqual({
      code: 'OPTIMIZER_PROFILE_MISSING',
      message: 'no GPU profile for model m on L40S',
    });
  });

  it('renders one vllm:deployment_replicas sample per deployment with a number', async () => {
    const round = await recommendReplicas(
      { atMs: 1, deployments, profiles, requests: () => window, windowS: 60, timeBudgetS: 5 },
      highs,
    );
    expect(renderDeploymentReplicas(round.recommendations).split('\n')).toEqual([
      '# HELP vllm:deployment_replicas replicas the GPU optimizer recommends for the deployment',
      '# TYPE vllm:deployment_replicas gauge',
      'vllm:deployment_replicas{namespace="ns",deployment="m-big",model_name="m",gpu="BIG"} 1',
      'vllm:deployment_replicas{namespace="ns",deployment="m-small",model_name="m",gpu="small"} 2',
      '',
    ]);
  });
});
