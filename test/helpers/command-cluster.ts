/**
 * A real leader side (AgentHub + ControlServer + CommandClient on 127.0.0.1) and a real agent
 * side (LeaderClient + CommandExecutor, optionally an EngineWatcher with engine.drain) for the
 * command channel's integration tests. The CommandClient outlives leader restarts on the same
 * port, as a leader's would outlive an agent's reconnect.
 */
import { AgentMetrics } from '../../src/agent/agent-metrics.js';
import { CommandExecutor } from '../../src/agent/command-executor.js';
import type { CommandHandler } from '../../src/agent/command-handler.js';
import { CommandMetrics } from '../../src/agent/command-metrics.js';
import { LeaderClient } from '../../src/agent/leader-client.js';
import { systemTimers } from '../../src/controllers/index.js';
import { StaticAgentAuthenticator } from '../../src/leader/adapters/static-agent-authenticator.js';
import { CommandClient } from '../../src/leader/command-client.js';
import { ControlServer } from '../../src/leader/control-server.js';
import { AgentHub, ClusterStateStore } from '../../src/leader/index.js';
import { deriveAgentToken } from '../../src/protocol/index.js';
import {
  SeededRng,
  createRegistry,
  silentLogger,
  systemClock,
  type Registry,
} from '../../src/shared/index.js';
import { waitFor } from './wait-for.js';

const SECRET = 'test-secret-0123456789abcdef';

/** The leader side: restartable hub and control server, one store and one command client. */
export class CommandLeader {
  readonly store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 5000 });
  readonly registry: Registry = createRegistry({ defaultMetrics: false });
  readonly client: CommandClient;
  /** The epoch the client stamps on commands (the hub welcomes with 7). */
  epoch = 7;
  port = 0;
  #hub: AgentHub | undefined;
  #stop: (() => Promise<void>) | undefined;

  constructor() {
    this.client = new CommandClient({
      transport: { send: (node, message) => this.#hub?.sendTo(node, message) ?? false },
      epoch: () => this.epoch,
      rng: new SeededRng(3),
      timers: systemTimers,
      log: silentLogger(),
      registry: this.registry,
      connectWaitMs: 20_000,
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/v1/agents`;
  }

  /** Starts the hub (again, on the same port after the first start). */
  async start(): Promise<void> {
    const log = silentLogger();
    const registry = createRegistry({ defaultMetrics: false });
    const hub = new AgentHub({
      store: this.store,
      authenticator: new StaticAgentAuthenticator(SECRET),
      log,
      registry,
      identity: () => ({ leader: 'l-0', epoch: 7 }),
      pingIntervalMs: 200,
      commands: this.client,
    });
    const control = new ControlServer({
      host: '127.0.0.1',
      port: this.port,
      hub,
      store: this.store,
      registry,
      log,
      isReady: () => true,
      describe: () => ({}),
    });
    const abort = new AbortController();
    const runs = Promise.all([hub.run(abort.signal), control.run(abort.signal)]);
    await waitFor(() => control.port > 0, 'control server');
    this.port = control.port;
    this.#hub = hub;
    this.#stop = async () => {
      abort.abort();
      await runs;
    };
  }

  async stop(): Promise<void> {
    this.#hub = undefined;
    await this.#stop?.();
    this.#stop = undefined;
  }
}

/** The agent side: a LeaderClient whose commands go to an executor with `handlers`. */
export function startCommandAgent(
  leader: CommandLeader,
  node: string,
  handlers: readonly CommandHandler[],
): {
  client: LeaderClient;
  executor: CommandExecutor;
  metrics: () => Promise<string>;
  stop: () => Promise<void>;
} {
  const registry = createRegistry({ defaultMetrics: false });
  const executor = new CommandExecutor({
    handlers,
    clock: systemClock,
    log: silentLogger(),
    metrics: new CommandMetrics(registry),
  });
  const client = new LeaderClient({
    url: leader.url,
    credential: () => Promise.resolve(deriveAgentToken(SECRET, node)),
    node,
    agentVersion: 't',
    log: silentLogger(),
    metrics: new AgentMetrics(registry, node),
    rng: new SeededRng(1),
    reconnect: { initialMs: 50, maxMs: 200 },
    commands: executor,
  });
  const abort = new AbortController();
  const runs = Promise.all([client.run(abort.signal), executor.run(abort.signal)]);
  return {
    client,
    executor,
    metrics: () => registry.metrics(),
    stop: async () => {
      abort.abort();
      await runs;
    },
  };
}
