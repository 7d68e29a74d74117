import { describe, expect, it } from 'vitest';
import { CommandExecutor } from '../../../src/agent/command-executor.js';
import type { CommandContext, CommandHandler } from '../../../src/agent/command-handler.js';
import { CommandMetrics } from '../../../src/agent/command-metrics.js';
import { CommandRecord } from '../../../src/agent/command-record.js';
import type {
  CommandMessage,
  JsonObject,
  ProgressMessage,
  ResultMessage,
} from '../../../src/protocol/index.js';
import { AppError, createRegistry, silentLogger } from '../../../src/shared/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Run {
  readonly args: JsonObject;
  readonly context: CommandContext;
  resolve(value?: JsonObject): void;
  reject(err: unknown): void;
}

/** A handler whose runs the test settles by hand. */
function manualHandler(kind: string, concurrency = 1, timeoutMs = 60_000) {
  const runs: Run[] = [];
  const handler: CommandHandler<JsonObject> = {
    kind,
    concurrency,
    timeoutMs,
    parseArgs: (args) =>
      args.bad === true ? { ok: false, message: 'bad is set' } : { ok: true, args },
    run: (args, context) =>
      new Promise((resolve, reject) => runs.push({ args, context, resolve, reject })),
  };
  return { handler, runs };
}

function setup(
  handlers: CommandHandler[],
  options: { maxQueued?: number; maxEntries?: number } = {},
) {
  const clock = new ManualClock();
  const registry = createRegistry({ defaultMetrics: false });
  const executor = new CommandExecutor({
    handlers,
    clock,
    log: silentLogger(),
    metrics: new CommandMetrics(registry),
    ...(options.maxQueued === undefined ? {} : { maxQueued: options.maxQueued }),
    ...(options.maxEntries === undefined ? {} : { record: { maxEntries: options.maxEntries } }),
  });
  const sent: (ProgressMessage | ResultMessage)[] = [];
  let open = true;
  const connect = (epoch = 1) =>
    executor.welcomed(epoch, (m) => {
      if (!open) return false;
      sent.push(m);
      return true;
    });
  connect();
  const results = (id?: string) =>
    sent.filter(
      (m): m is ResultMessage => m.type === 'result' && (id === undefined || m.id === id),
    );
  const command = (id: string, kind: string, extra: Partial<CommandMessage> = {}): void =>
    executor.submit({ v: 1, type: 'command', id, epoch: 1, kind, args: {}, ...extra });
  return {
    executor,
    clock,
    sent,
    results,
    command,
    registry,
    connect,
    drop: () => {
      open = false;
      executor.disconnected();
    },
    reopen: (epoch = 1) => {
      open = true;
      connect(epoch);
    },
  };
}

const errorOf = (r: ResultMessage | undefined) => (r !== undefined && !r.ok ? r.error : undefined);

describe('CommandExecutor', () => {
  it('runs a command once, forwarding its progress, and sends one result with its value', async () => {
    const a = manualHandler('a');
    const t = setup([a.handler]);
    t.command('c1', 'a', { args: { x: 1 } });
    await waitFor(() => a.runs.length === 1, 'run started');
    expect(a.runs[0]!.args).toEqual({ x: 1 });
    a.runs[0]!.context.progress({ done: 1 });
    a.runs[0]!.resolve({ answer: 42 });
    await waitFor(() => t.results('c1').length === 1, 'result');
    expect(t.sent[0]).toEqual({ v: 1, type: 'progress', id: 'c1', progress: { done: 1 } });
    expect(t.results('c1')[0]).toEqual({
      v: 1,
      type: 'result',
      id: 'c1',
      kind: 'a',
      ok: true,
      value: { answer: 42 },
    });
    expect(await t.registry.metrics()).toMatch(
      /infernode_agent_commands_total\{kind="a",outcome="ok"\} 1/,
    );
  });

  it('bounds the queue: past maxQueued waiting, a command is refused with COMMAND_QUEUE_FULL', async () => {
    const a = manualHandler('a', 1);
    const t = setup([a.handler], { maxQueued: 2 });
    for (const id of ['c1', 'c2', 'c3', 'c4']) t.command(id, 'a');
    expect(errorOf(t.results('c4')[0])?.code).toBe('COMMAND_QUEUE_FULL');
    expect(t.results()).toHaveLength(1);
    await waitFor(() => a.runs.length === 1, 'one running');
    expect(await t.registry.metrics()).toMatch(/infernode_agent_command_queue_depth 2/);
  });

  it('runs at most `concurrency` of a kind at once; other kinds are not held back', async () => {
    const a = manualHandler('a', 2);
    const b = manualHandler('b', 1);
    const t = setup([a.handler, b.handler]);
    for (const id of ['a1', 'a2', 'a3']) t.command(id, 'a');
    t.command('b1', 'b');
    await waitFor(() => a.runs.length === 2 && b.runs.length === 1, 'two a and one b running');
    expect(a.runs).toHaveLength(2);
    a.runs[0]!.resolve();
    await waitFor(() => a.runs.length === 3, 'the third a starts when a slot frees');
    expect(t.results().map((r) => r.id)).toEqual(['a1']);
  });

  it('times a command out after its timeout: COMMAND_TIMEOUT, and the handler is told to stop', async () => {
    const a = manualHandler('a');
    const t = setup([a.handler]);
    t.command('c1', 'a', { timeoutMs: 20 });
    await waitFor(() => t.results('c1').length === 1, 'timeout result');
    expect(errorOf(t.results('c1')[0])).toMatchObject({
      code: 'COMMAND_TIMEOUT',
      message: 'a ran past its 20 ms timeout',
    });
    expect(a.runs[0]!.context.signal.aborted).toBe(true);
    a.runs[0]!.resolve({ late: true });
    await Promise.resolve();
    expect(t.results('c1')).toHaveLength(1);
  });

  it('cancels a running command (its signal aborts) and a queued one (it never runs)', async () => {
    const a = manualHandler('a', 1);
    const t = setup([a.handler]);
    t.command('c1', 'a');
    t.command('c2', 'a');
    await waitFor(() => a.runs.length === 1, 'c1 running');
    t.executor.cancel('c2');
    expect(errorOf(t.results('c2')[0])?.code).toBe('COMMAND_CANCELLED');
    t.executor.received({ v: 1, type: 'cancel', id: 'c1' });
    await waitFor(() => t.results('c1').length === 1, 'c1 cancelled');
    expect(errorOf(t.results('c1')[0])?.code).toBe('COMMAND_CANCELLED');
    expect(a.runs[0]!.context.signal.aborted).toBe(true);
    expect(a.runs).toHaveLength(1);
  });

  it('answers an unknown kind and bad args at once, without running anything', () => {
    const a = manualHandler('a');
    const t = setup([a.handler]);
    t.command('c1', 'nope');
    t.command('c2', 'a', { args: { bad: true } });
    expect(errorOf(t.results('c1')[0])).toMatchObject({
      code: 'COMMAND_UNKNOWN_KIND',
      message: 'unknown command kind "nope"; known: a',
    });
    expect(errorOf(t.results('c2')[0])).toMatchObject({
      code: 'COMMAND_BAD_ARGS',
      message: 'a: bad is set',
    });
    expect(a.runs).toHaveLength(0);
  });

  it("passes an AppError's code through; anything else is COMMAND_FAILED with its message", async () => {
    const a = manualHandler('a', 2);
    const t = setup([a.handler]);
    t.command('c1', 'a');
    t.command('c2', 'a');
    await waitFor(() => a.runs.length === 2, 'both running');
    a.runs[0]!.reject(new AppError('ENGINE_NOT_FOUND', 'no engine e'));
    a.runs[1]!.reject(new Error('disk on fire'));
    await waitFor(() => t.results().length === 2, 'both failed');
    expect(errorOf(t.results('c1')[0])).toEqual({
      code: 'ENGINE_NOT_FOUND',
      message: 'no engine e',
    });
    expect(errorOf(t.results('c2')[0])).toEqual({
      code: 'COMMAND_FAILED',
      message: 'disk on fire',
    });
  });

  it('runs an id once: a repeat while running sends nothing, a repeat after re-sends the result', async () => {
    const a = manualHandler('a');
    const t = setup([a.handler]);
    t.command('c1', 'a');
    t.command('c1', 'a');
    await waitFor(() => a.runs.length === 1, 'running');
    expect(t.results()).toHaveLength(0);
    a.runs[0]!.resolve({ n: 1 });
    await waitFor(() => t.results('c1').length === 1, 'result');
    t.command('c1', 'a');
    expect(t.results('c1')).toHaveLength(2);
    expect(t.results('c1')[1]).toEqual(t.results('c1')[0]);
    expect(a.runs).toHaveLength(1);
  });

  it('refuses a command from an epoch older than the newest seen, naming both', () => {
    const a = manualHandler('a');
    const t = setup([a.handler]);
    t.connect(5);
    t.command('c1', 'a', { epoch: 4 });
    expect(errorOf(t.results('c1')[0])).toEqual({
      code: 'COMMAND_STALE_EPOCH',
      message: 'command from leader epoch 4 refused: this agent has seen epoch 5',
    });
    t.command('c2', 'a', { epoch: 6 });
    t.command('c3', 'a', { epoch: 5 });
    expect(errorOf(t.results('c3')[0])?.message).toMatch(/epoch 5 refused.*seen epoch 6/);
    expect(t.executor.highestEpoch).toBe(6);
    expect(a.runs).toHaveLength(1);
    expect(t.results('c2')).toHaveLength(0);
  });

  it('keeps a bounded record: the oldest finished id is forgotten first', async () => {
    const a = manualHandler('a', 4);
    const t = setup([a.handler], { maxEntries: 2 });
    for (const id of ['c1', 'c2']) t.command(id, 'a');
    await waitFor(() => a.runs.length === 2, 'running');
    a.runs[0]!.resolve();
    a.runs[1]!.resolve();
    await waitFor(() => t.results().length === 2, 'finished');
    t.command('c3', 'a');
    await waitFor(() => a.runs.length === 3, 'c3 running');
    expect(t.executor.entry('c1')).toBeUndefined();
    expect(t.executor.entry('c2')?.state).toBe('finished');
    t.command('c1', 'a');
    await waitFor(() => a.runs.length === 4, 'a forgotten id runs again');
  });

  it('replays after a reconnect: results that finished while away, progress of those still running', async () => {
    const a = manualHandler('a', 2);
    const t = setup([a.handler]);
    t.command('c1', 'a');
    t.command('c2', 'a');
    await waitFor(() => a.runs.length === 2, 'running');
    t.drop();
    a.runs[0]!.resolve({ done: true });
    a.runs[1]!.context.progress({ pct: 50 });
    await waitFor(() => t.executor.entry('c1')?.state === 'finished', 'c1 finished while away');
    expect(t.sent).toHaveLength(0);
    t.reopen();
    expect(t.results('c1')).toHaveLength(1);
    expect(t.sent).toContainEqual({ v: 1, type: 'progress', id: 'c2', progress: { pct: 50 } });
    t.reopen();
    expect(t.results('c1')).toHaveLength(1);
  });
});

describe('CommandRecord', () => {
  it('never evicts a queued or running entry: add refuses instead', () => {
    const record = new CommandRecord({ maxEntries: 2 });
    record.add('a', 'k', 0);
    record.add('b', 'k', 0);
    expect(record.add('c', 'k', 0)).toBeUndefined();
    expect(record.size).toBe(2);
  });

  it('evicts delivered results before undelivered ones, and drops finished ones past the TTL', () => {
    const record = new CommandRecord({ maxEntries: 2, ttlMs: 1000 });
    const a = record.add('a', 'k', 0)!;
    const b = record.add('b', 'k', 0)!;
    record.finish(a, { ok: true }, 0);
    record.finish(b, { ok: true }, 0);
    b.delivered = true;
    record.add('c', 'k', 10);
    expect(record.get('a')).toBeDefined();
    expect(record.get('b')).toBeUndefined();
    record.add('d', 'k', 2000);
    expect(record.get('a')).toBeUndefined();
    expect(record.size).toBe(2);
  });
});
