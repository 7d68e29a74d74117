import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClients, loadKubeConfig } from '../../../src/kube/adapters/index.js';

describe('loadKubeConfig', () => {
  const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  });

  it('loads $KUBECONFIG and builds the clients from it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    process.env.KUBECONFIG = file;
    const kc = loadKubeConfig();
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
    expect(Object.keys(createKubeClients(kc)).sort()).toEqual([
      'apps',
      'authentication',
      'coordination',
      'core',
      'custom',
      'kubeConfig',
    ]);
  });

  it('refuses client-node’s silent localhost fallback when nothing is configured', () => {
    delete process.env.KUBECONFIG;
    process.env.HOME = mkdtempSync(join(tmpdir(), 'home-'));
    expect(() => loadKubeConfig()).toThrow(/no Kubernetes cluster configured/);
  });
});
