import { describe, expect, it } from 'vitest';
import { CommandBook, type PendingCommand } from '../../../src/leader/command-book.js';
import { CommandClient } from '../../../src/leader/command-client.js';
import type {
  CancelMessage,
  CommandMessage,
  JsonObject,
  ResultMessage,
} from '../../../src/protocol/index.js';
import { SeededRng, createRegistry, silentLogger } from '../../../src/shared/index.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

const pending = (id: string, node = 'n1'): PendingCommand => ({
  id,
  node,
  kind: 'k',
  args: {},
  timeoutMs: undefined,
  sent: false,
  onProgress: undefined,
  settle: () => undefined,
});
const ok = (id: string, value?: JsonObject): ResultMessage => ({
  v: 1,
  type: 'result',
  id,
  kind: 'k',
  ok: true,
  ...(value === undefined ? {} : { value }),
});

describe('CommandBook', () => {
  it('is bounded and refuses a taken id', () => {
    const book = new CommandBook(2);
    expect(book.add(pending('a'))).toBe(true);
    expect(book.add(pending('a'))).toBe(false);
    expect(book.add(pending('b'))).toBe(true);
    expect(book.add(pending('c'))).toBe(false);
    expect(book.size).toBe(2);
  });

  it('settles on the first result from the right node; a duplicate or late one is unknown', () => {
    const book = new CommandBook(8);
    book.add(pending('a', 'n1'));
    expect(book.onResult('n2', ok('a'))).toEqual({ kind: 'wrong-node' });
    const verdict = book.onResult('n1', ok('a', { x: 1 }));
    expect(verdict).toMatchObject({ kind: 'settle', result: { ok: true, value: { x: 1 } } });
    expect(book.onResult('n1', ok('a'))).toEqual({ kind: 'unknown' });
    expect(book.size).toBe(0);
  });

  it('turns a failed result into a code and message', () => {
    const book = new CommandBook(8);
    book.add(pending('a'));
    const verdict = book.onResult('n1', {
      v: 1,
      type: 'result',
      id: 'a',
      kind: 'k',
      ok: false,
      error: { code: 'COMMAND_TIMEOUT', message: 'slow' },
    });
    expect(verdict).toMatchObject({
      result: { ok: false, code: 'COMMAND_TIMEOUT', message: 'slow' },
    });
  });

  it("resends a node's pending commands only, oldest first", () => {
    const book = new CommandBook(8);
    for (const [id, node] of [
      ['a', 'n1'],
      ['b', 'n2'],
      ['c', 'n1'],
    ] as const)
      book.add(pending(id, node));
    expect(book.toResend('n1').map((p) => p.id)).toEqual(['a', 'c']);
    expect(book.progressFor('n2', 'a')).toBeUndefined();
    expect(book.progressFor('n1', 'a')?.id).toBe('a');
  });
});

describe('CommandClient (fake transport, manual timers)', () => {
  function setup(connected: Set<string>) {
    const timers = new ManualTimers();
    const wire: { node: string; message: CommandMessage | CancelMessage }[] = [];
    let epoch: number | undefined = 4;
    const client = new CommandClient({
      transport: {
        send: (node, message) => {
          if (!connected.has(node)) return false;
          wire.push({ node, message });
          return true;
        },
      },
      epoch: () => epoch,
      rng: new SeededRng(1),
      timers,
      log: silentLogger(),
      registry: createRegistry({ defaultMetrics: false }),
      connectWaitMs: 1000,
      resultGraceMs: 100,
    });
    return { client, timers, wire, setEpoch: (e: number | undefined) => (epoch = e) };
  }

  it('stamps id and epoch, resolves on the result, and ignores it after', async () => {
    const t = setup(new Set(['n1']));
    const progress: unknown[] = [];
    const { id, result } = t.client.start({
      node: 'n1',
      kind: 'k',
      args: { a: 1 },
      onProgress: (p) => progress.push(p),
    });
    expect(id).toMatch(/^cmd-[0-9a-f]{32}$/);
    expect(t.wire[0]).toEqual({
      node: 'n1',
      message: { v: 1, type: 'command', id, epoch: 4, kind: 'k', args: { a: 1 } },
    });
    t.client.agentMessage('n1', { v: 1, type: 'progress', id, progress: { p: 1 } });
    t.client.agentMessage('n1', ok(id, { done: true }));
    expect(await result).toEqual({ ok: true, value: { done: true } });
    expect(progress).toEqual([{ p: 1 }]);
    expect(t.timers.pending).toBe(0);
  });

  it('times out after timeoutMs plus the grace and sends cancel', async () => {
    const t = setup(new Set(['n1']));
    const { id, result } = t.client.start({ node: 'n1', kind: 'k', args: {}, timeoutMs: 500 });
    t.timers.advance(599);
    expect(t.wire).toHaveLength(1);
    t.timers.advance(1);
    expect(await result).toMatchObject({ ok: false, code: 'COMMAND_TIMEOUT' });
    expect(t.wire[1]?.message).toEqual({ v: 1, type: 'cancel', id });
  });

  it('waits a bounded time for a disconnected node, sends on its hello, else COMMAND_NODE_UNKNOWN', async () => {
    const connected = new Set<string>();
    const t = setup(connected);
    const first = t.client.start({ node: 'n1', kind: 'k', args: {} });
    const second = t.client.start({ node: 'n2', kind: 'k', args: {} });
    connected.add('n1');
    t.client.agentHello('n1');
    expect(t.wire.map((w) => w.message.id)).toEqual([first.id]);
    t.timers.advance(1000);
    expect(await second.result).toMatchObject({ ok: false, code: 'COMMAND_NODE_UNKNOWN' });
    t.client.agentMessage('n1', ok(first.id));
    expect(await first.result).toEqual({ ok: true, value: undefined });
  });

  it('cancels on abort and fails at once when not the leader', async () => {
    const t = setup(new Set(['n1']));
    const abort = new AbortController();
    const { id, result } = t.client.start({
      node: 'n1',
      kind: 'k',
      args: {},
      signal: abort.signal,
    });
    abort.abort();
    expect(await result).toMatchObject({ ok: false, code: 'COMMAND_CANCELLED' });
    expect(t.wire.at(-1)?.message).toEqual({ v: 1, type: 'cancel', id });
    t.setEpoch(undefined);
    expect(await t.client.send({ node: 'n1', kind: 'k', args: {} })).toMatchObject({
      ok: false,
      code: 'COMMAND_FAILED',
    });
  });
});
