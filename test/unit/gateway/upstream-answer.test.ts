import { describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import { UpstreamAnswer, type BodySink } from '../../../src/gateway/upstream-answer.js';

/** A dispatch controller that records what the answer asked of the engine's socket. */
function aController(): Dispatcher.DispatchController & { calls: string[] } {
  const calls: string[] = [];
  let paused = false;
  let aborted = false;
  let reason: Error | null = null;
  return {
    calls,
    get paused() {
      return paused;
    },
    get aborted() {
      return aborted;
    },
    get reason() {
      return reason;
    },
    pause() {
      paused = true;
      calls.push('pause');
    },
    resume() {
      paused = false;
      calls.push('resume');
    },
    abort(why: Error) {
      aborted = true;
      reason = why;
      calls.push(`abort: ${why.message}`);
    },
  };
}

function aSink(accept: () => boolean = () => true): BodySink & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    onData: (chunk) => {
      seen.push(chunk.toString());
      return accept();
    },
    onEnd: () => seen.push('end'),
    onError: (err) => seen.push(`error: ${err.message}`),
  };
}

describe('UpstreamAnswer', () => {
  it('queues what arrives before its consumer and hands it over in order, pausing only past 64 KiB', () => {
    const ctl = aController();
    const answer = new UpstreamAnswer(ctl, 200, { 'content-type': 'application/json' });
    answer.pushData(Buffer.from('a'));
    answer.pushData(Buffer.from('b'));
    expect(ctl.paused).toBe(false);
    answer.pushData(Buffer.alloc(64 * 1024, 'c'));
    expect(ctl.paused).toBe(true);
    const sink = aSink();
    answer.consume(sink);
    expect(sink.seen.map((s) => s.slice(0, 1))).toEqual(['a', 'b', 'c']);
    expect(ctl.calls.at(-1)).toBe('resume');
    answer.pushData(Buffer.from('d'));
    answer.pushEnd();
    expect(sink.seen.slice(3)).toEqual(['d', 'end']);
  });

  it('pauses when its consumer cannot take more, and reads again on resume()', () => {
    const ctl = aController();
    const answer = new UpstreamAnswer(ctl, 200, {});
    let full = true;
    const sink = aSink(() => !full);
    answer.consume(sink);
    answer.pushData(Buffer.from('x'));
    expect(ctl.paused).toBe(true);
    full = false;
    answer.resume();
    expect(ctl.paused).toBe(false);
  });

  it('tells a late consumer of an end or a failure that came first', () => {
    const ended = new UpstreamAnswer(aController(), 200, {});
    ended.pushData(Buffer.from('all'));
    ended.pushEnd();
    const sink = aSink();
    ended.consume(sink);
    expect(sink.seen).toEqual(['all', 'end']);

    const failed = new UpstreamAnswer(aController(), 200, {});
    failed.pushError(new Error('reset'));
    failed.pushEnd();
    const late = aSink();
    failed.consume(late);
    expect(late.seen).toEqual(['error: reset']);
  });

  it('reads a bounded body, cutting one over the limit', async () => {
    const small = new UpstreamAnswer(aController(), 404, {});
    const read = small.read(10);
    small.pushData(Buffer.from('not '));
    small.pushData(Buffer.from('found'));
    small.pushEnd();
    expect((await read).toString()).toBe('not found');

    const ctl = aController();
    const big = new UpstreamAnswer(ctl, 404, {});
    const cut = big.read(4);
    big.pushData(Buffer.from('abc'));
    big.pushData(Buffer.from('defgh'));
    big.pushError(ctl.reason ?? new Error('no abort'));
    expect((await cut).toString()).toBe('abc');
    expect(ctl.calls).toContain('abort: upstream body over 4 bytes');
  });

  it('accepts one consumer only, and destroys at most once', () => {
    const ctl = aController();
    const answer = new UpstreamAnswer(ctl, 200, {});
    answer.discard();
    expect(() => answer.consume(aSink())).toThrow(/one consumer/);
    answer.pushEnd();
    answer.destroy();
    expect(ctl.calls.filter((c) => c.startsWith('abort'))).toEqual([]);
  });
});
