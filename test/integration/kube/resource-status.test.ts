/**
 * The generic custom-resource adapters on the fake API server: the status store behind
 * ConflictRetryingStatusWriter (status subresource, resourceVersion conflicts), finalizers added
 * and removed with a resourceVersion guard (and a delete that waits on them), and the Secret reader.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictRetryingStatusWriter } from '../../../src/controllers/index.js';
import {
  K8sResourceFinalizers,
  K8sResourceStatusStore,
  K8sSecretReader,
  createKubeClients,
} from '../../../src/kube/adapters/index.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { loadCrds } from '../../helpers/crds.js';

const API = 'infernode.io/v1alpha1';
interface Status {
  phase?: string;
  instances?: string[];
  engineErrors?: unknown[];
}

describe('custom resources: status store, finalizers, Secrets on the fake API server', () => {
  let server: FakeKubeApiServer;
  let store: K8sResourceStatusStore<Status>;
  let finalizers: K8sResourceFinalizers;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    for (const crd of loadCrds()) server.addCrd(crd);
    const clients = createKubeClients(server.kubeConfig());
    const settings = { clients, plural: 'modeladapters', requestTimeoutMs: 5000 };
    store = new K8sResourceStatusStore<Status>(settings);
    finalizers = new K8sResourceFinalizers(settings);
    server.put({
      apiVersion: API,
      kind: 'ModelAdapter',
      metadata: { name: 'sql-lora', namespace: 'ml' },
      spec: { podSelector: {}, artifactURL: 's3://bucket/lora' },
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const object = () => server.get(API, 'ModelAdapter', 'ml', 'sql-lora');

  it('reads and writes the status at the version read; a stale version is K8S_CONFLICT', async () => {
    const first = await store.read('ml/sql-lora', {});
    expect(first?.status).toEqual({});
    const written = await store.write('ml/sql-lora', { phase: 'Pending' }, first!.version, {});
    expect(object()?.status).toEqual({ phase: 'Pending' });
    expect(written.version).not.toBe(first!.version);
    await expect(
      store.write('ml/sql-lora', { phase: 'Running' }, first!.version, {}),
    ).rejects.toMatchObject({ code: 'K8S_CONFLICT' });
    // The status is replaced whole: a field left out is gone.
    await store.write('ml/sql-lora', { phase: 'Running', instances: ['a'] }, written.version, {});
    const now = await store.read('ml/sql-lora', {});
    await store.write('ml/sql-lora', { phase: 'Running' }, now!.version, {});
    expect(object()?.status).toEqual({ phase: 'Running' });
    expect(await store.read('ml/gone', {})).toBeUndefined();
  });

  it('works under ConflictRetryingStatusWriter while another writer races it', async () => {
    const writer = new ConflictRetryingStatusWriter(store);
    let raced = false;
    const result = await writer.update(
      'ml/sql-lora',
      (current) => {
        if (!raced) {
          raced = true;
          server.put({ ...object()!, status: { phase: 'Unknown' } });
        }
        return { ...current, phase: 'Running' };
      },
      {},
    );
    expect(result).toEqual({ phase: 'Running' });
    expect(object()?.status).toEqual({ phase: 'Running' });
    expect(await writer.update('ml/gone', () => ({ phase: 'x' }), {})).toBeUndefined();
  });

  it('adds and removes a finalizer once, keeping others; a delete waits on it', async () => {
    server.put({ ...object()!, metadata: { ...object()!.metadata, finalizers: ['other/x'] } });
    expect(await finalizers.add('ml/sql-lora', 'infernode.io/model-adapter', {})).toBe(true);
    expect(await finalizers.add('ml/sql-lora', 'infernode.io/model-adapter', {})).toBe(false);
    expect(object()?.metadata.finalizers).toEqual(['other/x', 'infernode.io/model-adapter']);
    server.delete(API, 'ModelAdapter', 'ml', 'sql-lora');
    expect(object()?.metadata.deletionTimestamp).toBeDefined();
    expect(await finalizers.remove('ml/sql-lora', 'infernode.io/model-adapter', {})).toBe(true);
    expect(await finalizers.remove('ml/sql-lora', 'infernode.io/model-adapter', {})).toBe(false);
    expect(object()?.metadata.finalizers).toEqual(['other/x']);
    expect(await finalizers.add('ml/gone', 'infernode.io/model-adapter', {})).toBe(false);
  });

  it('reads a Secret decoded; a missing one is undefined', async () => {
    const reader = new K8sSecretReader({
      clients: createKubeClients(server.kubeConfig()),
      requestTimeoutMs: 5000,
    });
    server.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'hf-token', namespace: 'ml' },
      data: { token: Buffer.from('s3cret').toString('base64') },
    });
    expect(await reader.read('ml', 'hf-token', {})).toEqual({ token: 's3cret' });
    expect(await reader.read('ml', 'nope', {})).toBeUndefined();
  });
});
