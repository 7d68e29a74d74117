import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, type CpuInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OsHostProbe } from '../../../src/gpu/adapters/index.js';
import {
  busyPct,
  cpuTimes,
  mountFor,
  parseMounts,
} from '../../../src/gpu/adapters/os-host-probe.js';

const live = { signal: new AbortController().signal };

describe('OsHostProbe', () => {
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

  it('reads mount points from a /proc/mounts table, spaces decoded', () => {
    const text = 'overlay / overlay rw 0 0\n/dev/sdb1 /mnt/model\\040cache ext4 rw 0 0\n\n';
    expect(parseMounts(text)).toEqual([{ mount: '/' }, { mount: '/mnt/model cache' }]);
  });

  it('computes the CPU busy share between two readings, and since boot for the first', () => {
    const core = (busy: number, idle: number): CpuInfo => ({
      model: 'x',
      speed: 1,
      times: { user: busy, nice: 0, sys: 0, idle, irq: 0 },
    });
    const before = cpuTimes([core(100, 300), core(100, 300)]);
    const now = cpuTimes([core(175, 325), core(125, 375)]);
    // 100 ms busy of 200 ms elapsed across both cores.
    expect(busyPct(now, before)).toBe(50);
    expect(busyPct(before, undefined)).toBe(25);
    expect(busyPct(before, before)).toBe(0);
  });

  it('reads CPU, memory and the cache disk of this machine, twice (CPU busy between samples)', async () => {
    const probe = new OsHostProbe({ hostProbeTimeoutMs: 20_000 });
    const facts = await probe.sample(tmpdir(), live);
    const again = await probe.sample(tmpdir(), live);
    expect(again.cpuBusyPct).toBeGreaterThanOrEqual(0);
    expect(facts.cpuCount).toBe(cpus().length);
    expect(facts.cpuBusyPct).toBeGreaterThanOrEqual(0);
    expect(facts.cpuBusyPct).toBeLessThanOrEqual(100);
    expect(facts.memoryTotalBytes).toBeGreaterThan(facts.memoryAvailableBytes);
    expect(facts.cacheDisk?.path).toBe(tmpdir());
    expect(facts.cacheDisk?.totalBytes).toBeGreaterThan(0);
    expect(facts.cacheDisk?.availableBytes).toBeLessThanOrEqual(facts.cacheDisk?.totalBytes ?? 0);
    expect(facts.cacheDisk?.usedBytes).toBeLessThanOrEqual(facts.cacheDisk?.totalBytes ?? 0);
  });

  it('reports the disk of a cache directory not created yet, and its mount from the table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'host-probe-'));
    try {
      const mounts = join(dir, 'mounts');
      await writeFile(mounts, `tmpfs / tmpfs rw 0 0\n/dev/x ${dir} ext4 rw 0 0\n`);
      const facts = await new OsHostProbe({ mountsFile: mounts }).sample(
        join(dir, 'cache', 'models'),
        live,
      );
      expect(facts.cacheDisk?.mount).toBe(dir);
      expect(facts.cacheDisk?.totalBytes).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with GPU_HOST_PROBE_FAILED when aborted', async () => {
    await expect(
      new OsHostProbe().sample('/', { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'GPU_HOST_PROBE_FAILED' });
  });
});
