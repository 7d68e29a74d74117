import { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { gpuIndicesOf, isPodRoutable, podToEndpoint } from '../../../src/kube/index.js';
import { aPod } from '../../helpers/kube-builders.js';

const pod = (b: ReturnType<typeof aPod>): V1Pod => Object.assign(new V1Pod(), b.build());

describe('podToEndpoint', () => {
  it('maps a ready engine pod', () => {
    expect(
      podToEndpoint(
        pod(aPod('vllm-0', 'ml').onNode('gpu-1').withModel('llama').ready().withIp('10.0.0.7')),
      ),
    ).toEqual({
      id: 'ml/vllm-0',
      name: 'vllm-0',
      model: 'llama',
      url: 'http://10.0.0.7:8000',
      node: 'gpu-1',
      engine: 'vllm',
      gpuIndices: undefined,
      ready: true,
      labels: { 'model.infernode.io/name': 'llama' },
    });
  });

  it('carries the pod labels (podSelector matches them) and the max LoRA rank label', () => {
    const base = aPod('e', 'ml').withModel('m').withLabel('tier', 'a').ready().withIp('10.0.0.7');
    const plain = podToEndpoint(pod(base));
    expect(plain?.labels).toEqual({ 'model.infernode.io/name': 'm', tier: 'a' });
    expect(plain?.maxLoraRank).toBeUndefined();
    const ranked = (value: string) =>
      podToEndpoint(pod(base.withLabel('model.infernode.io/max-lora-rank', value)))?.maxLoraRank;
    expect(ranked('64')).toBe(64);
    expect(ranked('lots')).toBeUndefined();
    expect(ranked('0')).toBeUndefined();
  });

  it('reads the engine dialect label; an unknown one falls back to vllm', () => {
    const withEngine = (engine: string) =>
      podToEndpoint(
        pod(
          aPod('e', 'ml')
            .withModel('m')
            .withLabel('model.infernode.io/engine', engine)
            .ready()
            .withIp('10.0.0.7'),
        ),
      )?.engine;
    expect(withEngine('llamacpp')).toBe('llamacpp');
    expect(withEngine('sglang')).toBe('sglang');
    expect(withEngine('tgi')).toBe('vllm');
  });

  it('ignores pods without a model label', () => {
    expect(podToEndpoint(pod(aPod('x').ready().withIp('10.0.0.1')))).toBeUndefined();
  });

  it('reads the port label, falls back to 8000 on a bad one, brackets IPv6', () => {
    const base = aPod('p').withModel('m').ready();
    expect(
      podToEndpoint(pod(base.withLabel('model.infernode.io/port', '8001').withIp('fd00::7')))?.url,
    ).toBe('http://[fd00::7]:8001');
    expect(
      podToEndpoint(
        pod(aPod('q').withModel('m').withLabel('model.aibrix.ai/port', 'http').withIp('10.0.0.2')),
      )?.url,
    ).toBe('http://10.0.0.2:8000');
  });

  it('is routable only with an IP, Ready=True and no deletionTimestamp', () => {
    expect(isPodRoutable(pod(aPod('a').withModel('m').ready()))).toBe(false);
    expect(isPodRoutable(pod(aPod('a').withModel('m').ready(false).withIp('10.0.0.1')))).toBe(
      false,
    );
    const terminating = pod(aPod('a').withModel('m').ready().withIp('10.0.0.1'));
    terminating.metadata!.deletionTimestamp = new Date();
    expect(isPodRoutable(terminating)).toBe(false);
  });

  it.each([
    ['0', [0]],
    ['0,1, 3', [0, 1, 3]],
    ['all', undefined],
    ['GPU-5c7e0a2f-0000-0000-0000-000000000000', undefined],
    ['MIG-GPU-1/0/0', undefined],
  ])('gpuIndices of NVIDIA_VISIBLE_DEVICES=%s', (value, expected) => {
    expect(gpuIndicesOf(pod(aPod('g').withModel('m').withGpus(value)))).toEqual(expected);
  });
});

describe('engine pod connections from annotations', () => {
  const engineWith = (annotations: Record<string, string>) => {
    const built = aPod('e', 'ml').withModel('m').ready().withIp('10.0.0.7').build();
    return podToEndpoint(
      Object.assign(new V1Pod(), {
        ...built,
        metadata: { ...built.metadata, annotations },
      }),
    );
  };

  it('speaks https with the named CA and sends the named API key', () => {
    const endpoint = engineWith({
      'engine.infernode.io/scheme': 'https',
      'engine.infernode.io/ca': 'vllm-ca',
      'engine.infernode.io/api-key': 'team-a',
    });
    expect(endpoint?.url).toBe('https://10.0.0.7:8000');
    expect(endpoint?.connection).toEqual({
      caFile: '/etc/infernode/engine-ca/vllm-ca.pem',
      apiKeyEnv: 'INFERNODE_ENGINE_API_KEY_TEAM_A',
    });
  });

  it('never takes a path or a variable of the pod’s choosing', () => {
    const endpoint = engineWith({
      'engine.infernode.io/ca': '../../etc/infernode/tls/tls',
      'engine.infernode.io/api-key': 'PATH',
    });
    expect(endpoint?.url).toBe('http://10.0.0.7:8000');
    expect(endpoint?.connection).toBeUndefined();
  });

  it('skips verification only when asked', () => {
    expect(engineWith({ 'engine.infernode.io/insecure-skip-verify': 'true' })?.connection).toEqual({
      insecureSkipVerify: true,
    });
    expect(engineWith({})?.connection).toBeUndefined();
  });
});
