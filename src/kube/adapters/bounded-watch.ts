/**
 * client-node 1.4's Watch with the two things its informer lacks: it asks for bookmarks and a
 * server-side timeout, and it gives up on a stream that has been silent for too long (a
 * half-open TCP connection would otherwise hang an informer forever). A silent stream is
 * aborted, which surfaces as an informer 'error' that the supervisor restarts from.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';

/** Tuning of a {@link BoundedWatch}. */
export interface BoundedWatchOptions {
  /** Server-side timeout asked of each watch, in seconds. Default 300 (the apiserver picks 300–600). */
  readonly timeoutSeconds?: number;
  /**
   * A stream silent this long (no event and no bookmark) is aborted. Default: timeoutSeconds
   * plus 30 s, so a healthy server always closes first.
   */
  readonly idleTimeoutMs?: number;
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type DoneCallback = (err: unknown) => void;

/** A Watch that asks for bookmarks and a server timeout and aborts silent streams. */
export class BoundedWatch extends Watch {
  readonly #timeoutSeconds: number;
  readonly #idleTimeoutMs: number;

  constructor(kubeConfig: KubeConfig, options: BoundedWatchOptions = {}) {
    super(kubeConfig);
    this.#timeoutSeconds = options.timeoutSeconds ?? 300;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? this.#timeoutSeconds * 1000 + 30_000;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    // Mutable state shared with the callbacks (an object, so TypeScript does not narrow it).
    const state: { timer?: NodeJS.Timeout; controller?: AbortController; silent: boolean } = {
      silent: false,
    };
    const arm = (): void => {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => {
        state.silent = true;
        state.controller?.abort();
      }, this.#idleTimeoutMs);
      state.timer.unref();
    };
    arm();
    const controller = await super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true, timeoutSeconds: this.#timeoutSeconds },
      (phase, obj, watchObj) => {
        arm();
        callback(phase, obj, watchObj);
      },
      (err: unknown) => {
        clearTimeout(state.timer);
        done(state.silent ? new Error(`watch ${path} silent for ${this.#idleTimeoutMs} ms`) : err);
      },
    );
    state.controller = controller;
    if (state.silent) controller.abort();
    return controller;
  }
}
