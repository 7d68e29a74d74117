/**
 * The agent's LMCache-compatible listener (issue #14): LMCache's remote-server protocol on
 * `kv.lmcacheHost:kv.lmcachePort`, serving the same L1 store as the native block service, so a
 * vLLM with LMCache's connector (`remote_url: lm://…`) uses the node's DRAM with no infernode
 * code in the engine. Bound before the agent runs (a port in use fails the start with one clear
 * error), closed when the agent stops.
 */
import { AppError, type Logger, type Registry, type Runnable } from '../shared/index.js';
import { LmcacheServer } from '../kvcache/adapters/index.js';
import type { LmcacheBlockStore } from '../kvcache/index.js';
import type { AgentConfig } from './agent-config.js';

/** The bound listener, its URL for the store report, and its lifetime for runProcess. */
export interface KvLmcache {
  readonly server: LmcacheServer;
  /** `lm://<host engines reach>:<port>`. */
  readonly url: string;
  readonly part: Runnable;
}

const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '';

/**
 * Binds the listener when `kv.lmcacheEnabled`; undefined otherwise. `fallbackHost` names the
 * node when the listener binds a wildcard address (the URL must be one engines can dial).
 */
export async function startKvLmcache(options: {
  readonly kv: AgentConfig['kv'];
  readonly store: LmcacheBlockStore;
  readonly fallbackHost: string;
  readonly registry: Registry;
  readonly log: Logger;
}): Promise<KvLmcache | undefined> {
  const { kv, store, registry, log } = options;
  if (!kv.lmcacheEnabled) return undefined;
  let server: LmcacheServer;
  try {
    server = new LmcacheServer({
      store,
      registry,
      logger: log.child({ component: 'kv-lmcache' }),
      host: kv.lmcacheHost,
      port: kv.lmcachePort,
      allowedCidrs: kv.lmcacheAllowedCidrs,
      maxFrameBytes: kv.maxFrameBytes,
    });
  } catch (error) {
    throw new AppError('CONFIG_INVALID', `kv.lmcacheAllowedCidrs: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    await server.start();
  } catch (error) {
    throw new AppError(
      'CONFIG_INVALID',
      `the LMCache listener cannot listen on ${kv.lmcacheHost}:${kv.lmcachePort} (kv.lmcacheHost/kv.lmcachePort): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const host = isWildcard(kv.lmcacheHost) ? options.fallbackHost : kv.lmcacheHost;
  const url = `lm://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  const part: Runnable = {
    name: 'kv-lmcache',
    run: (signal) =>
      new Promise<void>((resolve) => {
        const done = (): void => void server.stop().then(resolve, resolve);
        if (signal.aborted) done();
        else signal.addEventListener('abort', done, { once: true });
      }),
  };
  return { server, url, part };
}
