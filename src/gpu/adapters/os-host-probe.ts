/**
 * `OsHostProbe`: host facts (CPU load, memory, and the disk that holds the node cache) from
 * Node's `os` module, `statfs` and `/proc/self/mounts`, with no child process. The library it
 * replaces (systeminformation) ran `cat /proc/stat | grep cpu` and `cat /proc/mounts` through
 * `execSync` on every sample: a shell spawned synchronously blocked the agent's event loop
 * 15–20 ms every probe interval (and its KV block service and weight streams with it). Each
 * call races the signal and a named timeout and stops waiting when either fires.
 */
import { cpus, freemem, loadavg, totalmem, type CpuInfo } from 'node:os';
import { readFile, statfs } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { AppError, linkedSignal } from '../../shared/index.js';
import type { CallOptions, HostProbe } from '../gpu-probe.js';
import type { HostFacts } from '../gpu-facts.js';

/** Options of {@link OsHostProbe}. */
export interface OsHostProbeOptions {
  /** Time one host sample may take, ms. Default 5000. */
  readonly hostProbeTimeoutMs?: number;
  /** The mount table read for the cache disk's mount point. Default `/proc/self/mounts`. */
  readonly mountsFile?: string;
}

/** CPU time summed over all cores, ms. */
export interface CpuTimes {
  readonly busyMs: number;
  readonly totalMs: number;
}

/** All cores' CPU time, from `os.cpus()`. */
export function cpuTimes(cores: readonly CpuInfo[]): CpuTimes {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of cores) {
    const total = times.user + times.nice + times.sys + times.idle + times.irq;
    busyMs += total - times.idle;
    totalMs += total;
  }
  return { busyMs, totalMs };
}

/** Busy share (0–100 %) between two readings; since boot when there is no earlier one. */
export function busyPct(now: CpuTimes, before: CpuTimes | undefined): number {
  const busy = now.busyMs - (before?.busyMs ?? 0);
  const total = now.totalMs - (before?.totalMs ?? 0);
  return total > 0 ? Math.min(100, Math.max(0, (100 * busy) / total)) : 0;
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

/** Mount points of a `/proc/mounts`-format table (octal escapes such as `\040` decoded). */
export function parseMounts(text: string): { mount: string }[] {
  const out: { mount: string }[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[1];
    if (field === undefined || field === '') continue;
    out.push({
      mount: field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
        String.fromCharCode(parseInt(octal, 8)),
      ),
    });
  }
  return out;
}

/** The disk facts of the file system holding `path` (or its nearest existing parent). */
async function diskOf(path: string): Promise<{ total: number; used: number; available: number }> {
  let at = resolve(path);
  for (;;) {
    try {
      const s = await statfs(at);
      return {
        total: s.blocks * s.bsize,
        used: (s.blocks - s.bfree) * s.bsize,
        available: s.bavail * s.bsize,
      };
    } catch (err) {
      const parent = dirname(at);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) throw err;
      at = parent; // a cache directory not created yet: its disk is its parent's
    }
  }
}

/** The `os`/`statfs` adapter of {@link HostProbe}; see the file comment. */
export class OsHostProbe implements HostProbe {
  readonly #timeoutMs: number;
  readonly #mountsFile: string;
  #lastCpu: CpuTimes | undefined;

  constructor(options: OsHostProbeOptions = {}) {
    this.#timeoutMs = options.hostProbeTimeoutMs ?? 5000;
    this.#mountsFile = options.mountsFile ?? '/proc/self/mounts';
  }

  /** One host sample. Throws AppError `GPU_HOST_PROBE_FAILED` on error, timeout or abort. */
  async sample(cachePath: string, { signal }: CallOptions): Promise<HostFacts> {
    // Not AbortSignal.any: it leaks per call on a long-lived signal on Node 20 (linked-signal.ts).
    const link = linkedSignal([signal], this.#timeoutMs);
    const inner = link.signal;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () =>
        reject(new AppError('GPU_HOST_PROBE_FAILED', 'host probe timed out or aborted'));
      if (inner.aborted) onAbort();
      else inner.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const [disk, mountsText] = await Promise.race([
        Promise.all([
          diskOf(cachePath),
          // No mount table (not Linux): the disk is still reported, under the path itself.
          readFile(this.#mountsFile, { encoding: 'utf8', signal: inner }).catch(() => ''),
        ]),
        aborted,
      ]);
      const cores = cpus();
      const now = cpuTimes(cores);
      const cpuBusyPct = busyPct(now, this.#lastCpu);
      this.#lastCpu = now;
      return {
        cpuCount: cores.length,
        cpuLoad1m: loadavg()[0] ?? 0,
        cpuBusyPct,
        memoryTotalBytes: totalmem(),
        // libuv reads MemAvailable on Linux: what can be allocated without swapping.
        memoryAvailableBytes: freemem(),
        cacheDisk: {
          path: cachePath,
          mount: mountFor(parseMounts(mountsText), cachePath)?.mount ?? resolve(cachePath),
          totalBytes: disk.total,
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
