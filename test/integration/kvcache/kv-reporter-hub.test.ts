import { afterEach, describe, expect, it } from 'vitest';
import { AgentHub, ClusterStateStore } from '../../../src/leader/index.js';
import { ControlServer } from '../../../src/leader/control-server.js';
import { LeaderClient } from '../../../src/agent/leader-client.js';
import { AgentMetrics } from '../../../src/agent/agent-metrics.js';
import { KvReporter } from '../../../src/agent/kv-reporter.js';
import { fanOutKvChannel } from '../../../src/agent/kv-channel.js';
import { systemTimers } from '../../../src/controllers/index.js';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import { deriveAgentToken, kvMessageOf, type KvMessage } from '../../../src/protocol/index.js';
import { createRegistry, silentLogger, systemClock, SeededRng } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const SECRET = 'test-secret-0123456789abcdef';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('the KV reporter over a real agent hub', () => {
  it('sends a reset with the holdings after the welcome, then the deltas, in seq order', async () => {
    const received: { node: string; msg: KvMessage }[] = [];
    const registry = createRegistry({ defaultMetrics: false });
    const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 1000 });
    const hub = new AgentHub({
      store,
      authenticator: new StaticAgentAuthenticator(SECRET),
      log: silentLogger(),
      registry,
      identity: () => ({ leader: 'l-0', epoch: 7 }),
      kv: {
        agentMessage: (node, msg) => {
          if (msg.type === 'kv') received.push({ node, msg: kvMessageOf(msg) });
        },
        agentGone: () => undefined,
      },
    });
    const control = new ControlServer({
      host: '127.0.0.1',
      port: 0,
      hub,
      store,
      registry,
      log: silentLogger(),
      isReady: () => true,
      describe: () => ({}),
    });
    const abortLeader = new AbortController();
    const leaderRuns = Promise.all([hub.run(abortLeader.signal), control.run(abortLeader.signal)]);
    stops.push(async () => {
      abortLeader.abort();
      await leaderRuns;
    });
    await waitFor(() => control.port > 0, 'control server');

    const reporter = new KvReporter({
      timers: systemTimers,
      log: silentLogger(),
      flushIntervalMs: 10,
    });
    const held = [101, 102];
    reporter.addSource({ tier: 'gpu', engineId: 'node-k/e0', holdings: () => held });
    const client = new LeaderClient({
      url: `ws://127.0.0.1:${control.port}/v1/agents`,
      credential: () => Promise.resolve(deriveAgentToken(SECRET, 'node-k')),
      node: 'node-k',
      agentVersion: 't',
      log: silentLogger(),
      metrics: new AgentMetrics(createRegistry({ defaultMetrics: false }), 'node-k'),
      rng: new SeededRng(1),
      reconnect: { initialMs: 50, maxMs: 200 },
      kv: fanOutKvChannel(reporter),
    });
    client.updateEngines([
      { id: 'node-k/e0', model: 'm', url: 'http://x', ready: true, adapters: [] },
    ]);
    const abortAgent = new AbortController();
    const agentRuns = client.run(abortAgent.signal);
    stops.push(async () => {
      abortAgent.abort();
      await agentRuns;
    });

    await waitFor(() => received.length >= 1, 'the reset');
    expect(received[0]).toEqual({
      node: 'node-k',
      msg: {
        v: 1,
        type: 'kv',
        seq: 1,
        reset: true,
        deltas: [{ tier: 'gpu', engineId: 'node-k/e0', stored: [101, 102] }],
      },
    });
    reporter.record({ tier: 'gpu', engineId: 'node-k/e0', removed: [101], stored: [103] });
    await waitFor(() => received.length >= 2, 'the delta');
    expect(received[1]?.msg).toEqual({
      v: 1,
      type: 'kv',
      seq: 2,
      deltas: [{ tier: 'gpu', engineId: 'node-k/e0', removed: [101], stored: [103] }],
    });
  });
});
