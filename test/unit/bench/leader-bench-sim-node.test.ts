import { describe, expect, it } from 'vitest';
import { SimNode } from '../../../src/bench/leader-bench-sim-node.js';
import { decodeAgentMessage, decodeKvBinary, encodeKvBinary } from '../../../src/protocol/index.js';

// `bench leader`'s simulated node builds its frames by splicing precomputed parts: they must still
// be valid protocol messages, with the seqs and KV bookkeeping a real agent has.
const decode = (frame: string) => {
  const d = decodeAgentMessage(Buffer.from(frame));
  if (!d.ok) throw new Error(d.reason);
  return d.message;
};

describe('SimNode', () => {
  const plan = { engines: 2, models: 2, kvBlocksPerEngine: 3 };

  it('sends a valid hello, then state deltas with consecutive seqs', () => {
    const node = new SimNode(7, plan);
    const hello = decode(node.hello());
    expect(hello).toMatchObject({ type: 'hello', node: 'node-0007', seq: 0 });
    if (hello.type !== 'hello') throw new Error('not a hello');
    expect(hello.snapshot.engines.map((e) => e.id)).toEqual([
      'node-0007/engine-0',
      'node-0007/engine-1',
    ]);
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const state = decode(node.nextState());
      if (state.type !== 'state') throw new Error('not a state');
      expect(state.engines).toHaveLength(2);
      seqs.push(state.seq);
      node.stateSent();
    }
    expect(seqs).toEqual([1, 2, 3]);
    // A frame that did not go out is sent again with the same seq.
    expect(decode(node.nextState())).toMatchObject({ seq: 4 });
    expect(decode(node.nextState())).toMatchObject({ seq: 4 });
  });

  it('starts KV with a reset, then reports stored and evicted blocks apart', () => {
    const node = new SimNode(1, plan);
    node.storeBlocks(4); // engine 0 gets blocks 1 and 3, engine 1 gets 2 and 4
    const reset = node.nextKv();
    expect(reset).toMatchObject({ type: 'kv', seq: 1, reset: true });
    expect(reset?.deltas.flatMap((d) => d.stored ?? [])).toHaveLength(4);
    node.kvSent();
    expect(node.nextKv()).toBeUndefined();
    node.storeBlocks(4); // each engine now past its bound of 3: its oldest leaves
    const batch = node.nextKv();
    expect(batch).toMatchObject({ seq: 2 });
    expect(batch?.reset).toBeUndefined();
    for (const delta of batch?.deltas ?? []) {
      expect(delta.stored).toHaveLength(2);
      expect(delta.removed).toHaveLength(1);
      expect(delta.stored).not.toContain(delta.removed?.[0]);
    }
    node.kvSent();
    node.kvResync();
    expect(node.nextKv()).toMatchObject({ seq: 3, reset: true });
    // A new hello restarts the kv seq with a reset.
    node.hello();
    expect(node.nextKv()).toMatchObject({ seq: 1, reset: true });
    expect(decode(JSON.stringify(node.nextKv()))).toMatchObject({ type: 'kv' });
  });

  it('offers binary kv frames only when its plan does, and its batches encode to valid frames', () => {
    const hello = (p: typeof plan & { kvBinary?: boolean; paced?: boolean }) =>
      decode(new SimNode(2, p).hello());
    expect(hello(plan)).toMatchObject({ features: ['pace'] });
    expect(hello({ ...plan, kvBinary: true })).toMatchObject({ features: ['pace', 'kv-binary'] });
    // --no-pace: the agents keep their full rate, so two builds compare at one load.
    expect(hello({ ...plan, kvBinary: true, paced: false })).toMatchObject({
      features: ['kv-binary'],
    });
    const node = new SimNode(2, { ...plan, kvBinary: true });
    node.storeBlocks(5);
    const batch = node.nextKv();
    if (batch === undefined) throw new Error('no batch');
    expect(decodeKvBinary(encodeKvBinary(batch))).toEqual({ ok: true, message: batch });
  });
});
