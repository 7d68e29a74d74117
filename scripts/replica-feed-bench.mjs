#!/usr/bin/env node
// Micro-bench of the replica feed at 1,000 nodes (issue #18): the leader's CPU per agent state
// delta (8 engines with full metrics, ~7.8 KB of JSON) relayed to one follower over loopback,
// the decode the agent hub does anyway included. Rounds alternate a delta whose agent text was
// kept (relayed as it came) with one that was not (serialized again), in one process so the
// ratio holds on a shared machine. The follower is a child process that counts what arrives.
// Usage (after `npm run build`): node scripts/replica-feed-bench.mjs [DELTAS_PER_ROUND]
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import http from 'node:http';
import process from 'node:process';
import { setImmediate, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

if (process.argv[2] === 'follower') {
  const ws = new WebSocket(`ws://127.0.0.1:${process.argv[3]}/v1/replicas`);
  let received = 0;
  ws.on('message', () => {
    received++;
    if (received % 500 === 0) process.send?.(received);
  });
} else {
  const { ReplicaFeedServer } = await import('../dist/leader/replica-feed-server.js');
  const { ReplicaFeedMetrics } = await import('../dist/leader/replica-feed-metrics.js');
  const { keepJsonText } = await import('../dist/leader/agent-json-text.js');
  const { createRegistry, silentLogger } = await import('../dist/shared/index.js');
  const { decodeAgentMessage } = await import('../dist/protocol/index.js');
  const { engineReport } = await import('../dist/bench/leader-bench-plan.js');

  const perRound = Number(process.argv[2] ?? 10_000);
  const PER_TURN = 10; // deltas one event-loop turn carries (several agents' reads)
  const feed = new ReplicaFeedServer({
    token: '',
    listenHost: '127.0.0.1',
    leading: () => ({ leader: 'bench', epoch: 1 }),
    snapshot: () => ({ nodes: [], prefixes: [] }),
    onFollowerPrefixes: () => undefined,
    log: silentLogger(),
    metrics: new ReplicaFeedMetrics(createRegistry()),
  });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => feed.handleUpgrade(req, socket, head));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = new globalThis.AbortController();
  const running = feed.run(stop.signal);
  const { port } = server.address();
  const follower = fork(fileURLToPath(import.meta.url), ['follower', String(port)]);
  let received = 0;
  follower.on('message', (n) => (received = n));
  while (feed.followers === 0) await new Promise((r) => setTimeout(r, 20));

  const texts = Array.from({ length: 64 }, (_, k) =>
    Buffer.from(
      JSON.stringify({
        v: 1,
        type: 'state',
        seq: k + 1,
        engines: Array.from({ length: 8 }, (_, e) =>
          engineReport(`node-${k}/engine-${e}`, `bench-model-${e}`, 'http://127.0.0.1:1', k),
        ),
      }),
    ),
  );
  let sent = 0;
  /** CPU µs per delta over one round; `keep`: the hub kept the agent's text. */
  async function round(keep) {
    const cpu = process.cpuUsage();
    for (let done = 0; done < perRound;) {
      for (let i = 0; i < PER_TURN; i++, done++, sent++) {
        const text = texts[sent % texts.length];
        const decoded = decodeAgentMessage(text);
        if (keep) keepJsonText(decoded.message, text);
        feed.publish({ type: 'replica.state', node: `node-${sent % 64}`, delta: decoded.message });
      }
      await new Promise((r) => setImmediate(r));
    }
    while (received < sent - 500) await new Promise((r) => setTimeout(r, 5));
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / perRound;
  }
  const decodeCpu = process.cpuUsage();
  for (let i = 0; i < perRound; i++) decodeAgentMessage(texts[i % texts.length]);
  const decodeOnly = process.cpuUsage(decodeCpu);
  await round(true); // warm-up, both paths
  await round(false);
  const kept = [];
  const serialized = [];
  for (let r = 0; r < 4; r++) {
    kept.push(await round(true));
    serialized.push(await round(false));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (xs) => xs.map((x) => x.toFixed(1)).join(' / ');
  const lines = [
    `delta: ${texts[0].length} bytes of JSON, ${perRound} per round, ${PER_TURN} per turn`,
    `decode alone: ${((decodeOnly.user + decodeOnly.system) / perRound).toFixed(1)} µs`,
    `relayed as it came (decode + relay): ${fmt(kept)} µs per delta`,
    `serialized again (decode + relay):  ${fmt(serialized)} µs per delta`,
    `ratio of medians: ${(median(kept) / median(serialized)).toFixed(2)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  follower.kill();
  stop.abort();
  await running;
  server.close();
}
