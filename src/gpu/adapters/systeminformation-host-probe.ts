/**
 * `SystemInformationHostProbe`: host facts through `systeminformation` (CPU load, memory, and
 * the disk that holds the node cache). systeminformation takes no AbortSignal, so each call races
 * the signal and a named timeout and stops waiting when either fires.
 */
import { loadavg } from 'node:os';
import { resolve, sep } from 'node:path';
import si from 'systeminformation';
import { AppError, linkedSignal } from '../../shared/index.js';
import type { CallOptions, HostProbe } from '../gpu-probe.js';
import type { HostFacts } from '../gpu-facts.js';

/** Options of {@link SystemInformationHostProbe}. */
export interface SystemInformationHostProbeOptions {
  /** Time one host sample may take, ms. Default 5000. */
  readonly hostProbeTimeoutMs?: number;
}

/** The mount whose path is the longest prefix of `path`. */
export function mountFor<T extends { readonly mount: string }>(
  mounts: readonly T[],
  path: string,
): T | null {
  const target = resolve(path);
  let best: T | null = null;
  for (const m of mounts) {
    const root = m.mount.endsWith(sep) ? m.mount : `${m.mount}${sep}`;
    const inside = target === m.mount || target.startsWith(root) || m.mount === sep;
    if (inside && (best === null || m.mount.length > best.mount.length)) best = m;
  }
  return best;
}

/** The systeminformation adapter of {@link HostProbe}. */
export class SystemInformationHostProbe implements HostProbe {
  readonly #timeoutMs: number;

  constructor(options: SystemInformationHostProbeOptions = {}) {
    this.#timeoutMs = options.hostProbeTimeoutMs ?? 5000;
  }

  /** One host sample. Throws AppError `GPU_HOST_PROBE_FAILED` on error, timeout or abort. */
  async sample(cachePath: string, { signal }: CallOptions): Promise<HostFacts> {
    // Not AbortSignal.any: it leaks per call on a long-lived signal on Node 20 (linked-signal.ts).
    const link = linkedSignal([signal], this.#timeoutMs);
    const inner = link.signal;
    if (inner.aborted) throw new AppError('GPU_HOST_PROBE_FAILED', 'host probe aborted');
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () =>
        reject(new AppError('GPU_HOST_PROBE_FAILED', 'host probe timed out or aborted'));
      inner.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const [load, mem, disks] = await Promise.race([
        Promise.all([si.currentLoad(), si.mem(), si.fsSize()]),
        aborted,
      ]);
      const disk = mountFor(disks, cachePath);
      return {
        cpuCount: load.cpus.length,
        cpuLoad1m: loadavg()[0] ?? 0,
        cpuBusyPct: load.currentLoad,
        memoryTotalBytes: mem.total,
        memoryAvailableBytes: mem.available,
        cacheDisk:
          disk === null
            ? null
            : {
                path: cachePath,
                mount: disk.mount,
                totalBytes: disk.size,
                usedBytes: disk.used,
                availableBytes: disk.available,
              },
      };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('GPU_HOST_PROBE_FAILED', 'host probe failed', { cause: err });
    } finally {
      if (onAbort !== undefined) inner.removeEventListener('abort', onAbort);
      link.dispose();
    }
  }
}
