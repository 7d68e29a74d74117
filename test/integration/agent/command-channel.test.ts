/**
 * The command channel end to end over a real WebSocket on loopback: the leader's CommandClient
 * through a real AgentHub to a real LeaderClient and CommandExecutor. A command runs once and
 * answers once through duplicates, a stale epoch, a dropped socket and a late connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandContext, CommandHandler } from '../../../src/agent/command-handler.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { CommandLeader, startCommandAgent } from '../../helpers/command-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Run {
  readonly context: CommandContext;
  resolve(value: JsonObject): void;
}

/** `test.work`: each run waits until the test finishes it; counts runs. */
function workHandler() {
  const runs: Run[] = [];
  const handler: CommandHandler<JsonObject> = {
    kind: 'test.work',
    concurrency: 4,
    timeoutMs: 60_000,
    parseArgs: (args) => ({ ok: true, args }),
    run: (_args, context) => new Promise((resolve) => runs.push({ context, resolve })),
  };
  return { handler, runs };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(node = 'node-c') {
  const leader = new CommandLeader();
  await leader.start();
  cleanups.push(() => leader.stop());
  const work = workHandler();
  const agent = startCommandAgent(leader, node, [work.handler]);
  cleanups.push(agent.stop);
  await waitFor(() => agent.client.leader !== undefined, 'agent welcomed');
  return { leader, agent, work, node };
}

describe('command channel', () => {
  it('a command round trip: progress, then one result with its value', async () => {
    const { leader, work, node } = await cluster();
    const progress: JsonObject[] = [];
    const result = leader.client.send({
      node,
      kind: 'test.work',
      args: {},
      onProgress: (p) => progress.push(p),
    });
    await waitFor(() => work.runs.length === 1, 'running on the agent');
    work.runs[0]!.context.progress({ pct: 50 });
    await waitFor(() => progress.length === 1, 'progress at the leader');
    work.runs[0]!.resolve({ done: true });
    expect(await result).toEqual({ ok: true, value: { done: true } });
    expect(progress).toEqual([{ pct: 50 }]);
  });

  it('the same id sent twice runs once and answers once', async () => {
    const { leader, agent, work, node } = await cluster();
    const duplicates = async () =>
      /infernode_agent_command_duplicates_total\{kind="test.work"\} (\d+)/.exec(
        await agent.metrics(),
      )?.[1];
    const { result } = leader.client.start({ node, kind: 'test.work', args: {} });
    await waitFor(() => work.runs.length === 1, 'running');
    leader.client.agentHello(node); // sends the pending command again, with the same id
    await waitFor(async () => (await duplicates()) === '1', 'the agent saw the repeat');
    work.runs[0]!.resolve({ n: 1 });
    expect(await result).toEqual({ ok: true, value: { n: 1 } });
    leader.client.agentHello(node); // nothing pending any more: nothing sent
    expect(work.runs).toHaveLength(1);
    expect(await leader.registry.metrics()).toMatch(
      /infernode_leader_commands_total\{kind="test.work",outcome="ok"\} 1/,
    );
  });

  it('refuses a command from an older epoch, naming both epochs', async () => {
    const { leader, work, node } = await cluster();
    leader.epoch = 6;
    expect(await leader.client.send({ node, kind: 'test.work', args: {} })).toEqual({
      ok: false,
      code: 'COMMAND_STALE_EPOCH',
      message: 'command from leader epoch 6 refused: this agent has seen epoch 7',
    });
    expect(work.runs).toHaveLength(0);
  });

  it('a socket dropped while a command runs: after the reconnect the leader gets the one result', async () => {
    const { leader, agent, work, node } = await cluster();
    const { id, result } = leader.client.start({ node, kind: 'test.work', args: {} });
    await waitFor(() => work.runs.length === 1, 'running');
    await leader.stop();
    await waitFor(() => !agent.client.connected, 'agent disconnected');
    work.runs[0]!.resolve({ finished: 'while away' });
    await waitFor(() => agent.executor.entry(id)?.state === 'finished', 'finished on the agent');
    expect(agent.executor.entry(id)?.delivered).toBe(false);
    await leader.start();
    expect(await result).toEqual({ ok: true, value: { finished: 'while away' } });
    expect(work.runs).toHaveLength(1);
  });

  it('a command sent while the agent is away is sent on its hello and runs once', async () => {
    const leader = new CommandLeader();
    await leader.start();
    cleanups.push(() => leader.stop());
    const result = leader.client.send({ node: 'node-late', kind: 'test.work', args: {} });
    const work = workHandler();
    const agent = startCommandAgent(leader, 'node-late', [work.handler]);
    cleanups.push(agent.stop);
    await waitFor(() => work.runs.length === 1, 'run after hello');
    work.runs[0]!.resolve({ late: true });
    expect(await result).toEqual({ ok: true, value: { late: true } });
    expect(work.runs).toHaveLength(1);
  });
});
