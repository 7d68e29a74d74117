import { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  discoveryScopeFrom,
  isPodInScope,
  resolveDiscoveryScope,
  scopeLabelSelector,
} from '../../../src/kube/index.js';
import { aPod } from '../../helpers/kube-builders.js';

const values = {
  namespace: 'infernode-system',
  watchNamespaces: [],
  requireLabels: [],
  requireOwnerKinds: [],
};
const pod = (namespace: string, labels: Record<string, string> = {}, owner?: string): V1Pod => {
  const b = aPod('p', namespace).withModel('m');
  for (const [k, v] of Object.entries(labels)) b.withLabel(k, v);
  if (owner !== undefined) b.ownedBy(owner, 'o');
  return Object.assign(new V1Pod(), b.build());
};

describe('discovery scope', () => {
  it('defaults to this pod’s own namespace, not every namespace', () => {
    const scope = resolveDiscoveryScope(values);
    expect(scope.namespaces).toEqual(['infernode-system']);
    expect(isPodInScope(pod('infernode-system'), scope)).toBe(true);
    expect(isPodInScope(pod('tenant-a'), scope)).toBe(false);
  });

  it('takes an explicit list, or * for all namespaces (alone)', () => {
    expect(
      resolveDiscoveryScope({ ...values, watchNamespaces: ['ml', ' serving '] }).namespaces,
    ).toEqual(['ml', 'serving']);
    const all = resolveDiscoveryScope({ ...values, watchNamespaces: ['*'] });
    expect(all.namespaces).toBe('all');
    expect(isPodInScope(pod('tenant-a'), all)).toBe(true);
    const mixed = discoveryScopeFrom({ ...values, watchNamespaces: ['*', 'ml'] });
    expect(mixed.ok).toBe(false);
  });

  it('requires the configured labels, in the selector and on the pod', () => {
    const scope = resolveDiscoveryScope({
      ...values,
      requireLabels: ['infernode.io/serving=true'],
    });
    expect(scopeLabelSelector('model.infernode.io/name', scope)).toBe(
      'model.infernode.io/name,infernode.io/serving=true',
    );
    expect(isPodInScope(pod('infernode-system'), scope)).toBe(false);
    expect(isPodInScope(pod('infernode-system', { 'infernode.io/serving': 'true' }), scope)).toBe(
      true,
    );
    expect(isPodInScope(pod('infernode-system', { 'infernode.io/serving': 'false' }), scope)).toBe(
      false,
    );
    const bad = discoveryScopeFrom({ ...values, requireLabels: ['no-value', 'bad key=x'] });
    expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toEqual([
      'kube.requireLabels',
      'kube.requireLabels',
    ]);
  });

  it('requires a controller owner of a listed kind when kinds are set', () => {
    const scope = resolveDiscoveryScope({
      ...values,
      requireOwnerKinds: ['ReplicaSet', 'StatefulSet'],
    });
    expect(isPodInScope(pod('infernode-system'), scope)).toBe(false);
    expect(isPodInScope(pod('infernode-system', {}, 'StatefulSet'), scope)).toBe(true);
    expect(isPodInScope(pod('infernode-system', {}, 'Job'), scope)).toBe(false);
  });
});
