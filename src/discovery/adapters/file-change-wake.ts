/**
 * Wakes a file poller early when a watched file changes, so the poll itself can run rarely.
 * It watches the files' directory, not the files: an atomic write (temporary file + rename, as
 * writeScaleState and most editors and ConfigMap updates do) replaces the inode, which a watch on
 * the file itself stops seeing after the first rename. Where the platform cannot watch (some
 * network and container file systems), `watching` is false and the caller polls at its fast rate.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** A directory watch that resolves `wait()` on a change of one of the named files. */
export class FileChangeWake {
  readonly #names: ReadonlySet<string>;
  #watcher: FSWatcher | undefined;
  /** A change arrived while nobody waited: the next wait returns at once. */
  #pending = false;
  #wake: (() => void) | undefined;

  /**
   * Watches the directory of `paths[0]` for changes to any of `paths` (same directory); no
   * paths: watches nothing (`watching` false).
   */
  constructor(paths: readonly string[]) {
    this.#names = new Set(paths.map((p) => basename(p)));
    const first = paths[0];
    if (first === undefined) return;
    const dir = dirname(first);
    try {
      // Not persistent: the watch alone must not keep the process alive.
      this.#watcher = watch(dir, { persistent: false }, (_event, name) => {
        // No name (some platforms) could be any file: treat it as ours.
        if (name === null || this.#names.has(name)) this.#notify();
      });
      this.#watcher.on('error', () => this.close());
    } catch {
      this.#watcher = undefined;
    }
  }

  /** Whether changes wake the waiter (false: the caller must poll at its fast rate). */
  get watching(): boolean {
    return this.#watcher !== undefined;
  }

  /**
   * Resolves on the next change, after `ms` at the latest, or when `signal` aborts (never
   * rejects): the timer is the bound, the signal the way to cancel.
   */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  /** Stops watching; a pending wait still ends on its timer or signal. */
  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #notify(): void {
    if (this.#wake !== undefined) this.#wake();
    else this.#pending = true;
  }
}
