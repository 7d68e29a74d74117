/**
 * The leader's control server as the composition root builds it: the weights prefetch route over
 * the command client, and what the server describes of this process (identity, epoch, version,
 * ejected endpoints). The rest it serves comes in as the server's own options.
 */
import { INFERNODE_VERSION, type Logger, type Registry } from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { CommandClient } from './command-client.js';
import { ControlServer, type ControlServerOptions } from './control-server.js';
import type { LeaderConfig } from './leader-adapters.js';
import { WeightsPrefetch } from './weights-prefetch.js';

/** What the control server needs from the composition root. */
export interface ControlWiring {
  readonly config: LeaderConfig;
  readonly commands: CommandClient;
  readonly store: ClusterStateStore;
  readonly registry: Registry;
  readonly log: Logger;
  /** The leadership epoch while this process leads, else undefined. */
  readonly epoch: () => number | undefined;
  /** Endpoints the gateway's passive health has ejected now. */
  readonly ejected: () => readonly string[];
  /** Served as they are: the hub, readiness, the KV view, the optimizer, the console, replicas. */
  readonly serves: Pick<
    ControlServerOptions,
    'hub' | 'isReady' | 'kv' | 'optimizer' | 'console' | 'replicas' | 'resources' | 'tls'
  >;
}

/** Builds the control server (it listens once it runs). */
export function buildControlServer(wiring: ControlWiring): ControlServer {
  const { config, store } = wiring;
  return new ControlServer({
    ...wiring.serves,
    prefetch: new WeightsPrefetch({
      commands: wiring.commands,
      connectedNodes: () =>
        store
          .nodes()
          .filter((n) => n.connected)
          .map((n) => n.node),
      token: config.control.token,
      listenHost: config.control.host,
    }),
    host: config.control.host,
    port: config.control.port,
    store,
    registry: wiring.registry,
    log: wiring.log.child({ component: 'control' }),
    describe: () => ({
      leader: config.identity,
      epoch: wiring.epoch(),
      version: INFERNODE_VERSION,
      ejected: wiring.ejected(),
    }),
  });
}
