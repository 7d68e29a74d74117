import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SystemInformationHostProbe } from '../../../src/gpu/adapters/index.js';
import { mountFor } from '../../../src/gpu/adapters/systeminformation-host-probe.js';

describe('SystemInformationHostProbe', () => {
  it('picks the longest mount that holds the cache path', () => {
    const mounts = [
      { mount: '/' },
      { mount: '/var' },
      { mount: '/var/cache' },
      { mount: '/var/cachex' },
    ];
    expect(mountFor(mounts, '/var/cache/infernode')?.mount).toBe('/var/cache');
    expect(mountFor(mounts, '/home')?.mount).toBe('/');
    expect(mountFor([], '/x')).toBeNull();
  });

  it('reads CPU, memory and the cache disk of this machine', async () => {
    const facts = await new SystemInformationHostProbe({ hostProbeTimeoutMs: 20_000 }).sample(
      tmpdir(),
      {
        signal: new AbortController().signal,
      },
    );
    expect(facts.cpuCount).toBeGreaterThan(0);
    expect(facts.memoryTotalBytes).toBeGreaterThan(facts.memoryAvailableBytes);
    expect(facts.cacheDisk?.path).toBe(tmpdir());
  });

  it('fails with GPU_HOST_PROBE_FAILED when aborted', async () => {
    await expect(
      new SystemInformationHostProbe().sample('/', { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'GPU_HOST_PROBE_FAILED' });
  });
});
