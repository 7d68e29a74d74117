import { describe, expect, it } from 'vitest';
import { randomWorkload, traceWorkload, promptText } from '../../../src/bench/serve-workload.js';
import { sharegptSynthWorkload, SHAREGPT_MAX_TURNS } from '../../../src/bench/serve-sharegpt.js';
import { wordText } from '../../../src/bench/serve-text.js';
import { parseTrace } from '../../../src/bench/routing-trace.js';

const snapshot = (rs: ReturnType<typeof randomWorkload>) =>
  rs.map((r) => ({ i: r.inputTokens, o: r.outputTokens, m: r.messages() }));

describe('prompt text', () => {
  it('is 4 bytes per planned token, deterministic under its seed', () => {
    expect(wordText(7, 25)).toHaveLength(100);
    expect(wordText(7, 25)).toBe(wordText(7, 25));
    expect(wordText(8, 25)).not.toBe(wordText(7, 25));
  });
});

describe('random workload (vLLM random dataset)', () => {
  const base = { count: 400, inputLen: 100, outputLen: 50, rangeRatio: 0.5, prefixLen: 0, seed: 3 };

  it('is deterministic under a seed and changes with it', () => {
    expect(snapshot(randomWorkload(base))).toEqual(snapshot(randomWorkload(base)));
    expect(snapshot(randomWorkload({ ...base, seed: 4 }))).not.toEqual(
      snapshot(randomWorkload(base)),
    );
  });

  it('draws lengths uniformly within ± range ratio, prompt text matching the plan', () => {
    const rs = randomWorkload(base);
    const ins = rs.map((r) => r.inputTokens);
    const outs = rs.map((r) => r.outputTokens);
    expect(Math.min(...ins)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...ins)).toBeLessThanOrEqual(150);
    expect(Math.min(...outs)).toBeGreaterThanOrEqual(25);
    expect(Math.max(...outs)).toBeLessThanOrEqual(75);
    const meanIn = ins.reduce((a, b) => a + b, 0) / ins.length;
    expect(meanIn).toBeGreaterThan(93);
    expect(meanIn).toBeLessThan(107);
    for (const r of rs.slice(0, 20))
      expect(promptText(r.messages())).toHaveLength(4 * r.inputTokens);
  });

  it('uses fixed lengths at ratio 0 and puts one shared prefix first', () => {
    const rs = randomWorkload({ ...base, rangeRatio: 0, prefixLen: 32, count: 3 });
    expect(rs.map((r) => [r.inputTokens, r.outputTokens])).toEqual([
      [132, 50],
      [132, 50],
      [132, 50],
    ]);
    const texts = rs.map((r) => promptText(r.messages()));
    expect(texts[1]!.slice(0, 128)).toBe(texts[0]!.slice(0, 128));
    expect(texts[1]!.slice(128)).not.toBe(texts[0]!.slice(128));
  });
});

describe('sharegpt-synth workload', () => {
  const o = { count: 2000, seed: 11, maxContext: 8192 };

  it('is deterministic under a seed and changes with it', () => {
    const a = sharegptSynthWorkload({ ...o, count: 50 });
    const b = sharegptSynthWorkload({ ...o, count: 50 });
    expect(a.map((r) => r.messages())).toEqual(b.map((r) => r.messages()));
    const c = sharegptSynthWorkload({ ...o, count: 50, seed: 12 });
    expect(c.map((r) => r.outputTokens)).not.toEqual(a.map((r) => r.outputTokens));
  });

  it('has ShareGPT-like turns and lengths', () => {
    const rs = sharegptSynthWorkload(o);
    expect(rs).toHaveLength(2000);
    const firstTurns = rs.filter((r) => r.messages().length === 1);
    const turnsPerConversation = rs.length / firstTurns.length;
    expect(turnsPerConversation).toBeGreaterThan(2.9);
    expect(turnsPerConversation).toBeLessThan(4.2);
    const outs = rs.map((r) => r.outputTokens).sort((a, b) => a - b);
    const medianOut = outs[outs.length >> 1]!;
    expect(medianOut).toBeGreaterThan(150);
    expect(medianOut).toBeLessThan(215);
    expect(outs[0]).toBeGreaterThanOrEqual(4);
    expect(outs.at(-1)).toBeLessThanOrEqual(1024);
    for (const r of rs) {
      expect(r.inputTokens + r.outputTokens).toBeLessThanOrEqual(8192);
      expect(r.messages().length).toBeLessThanOrEqual(2 * SHAREGPT_MAX_TURNS - 1);
    }
  });

  it('sends each later turn with the previous turn as its prefix', () => {
    const rs = sharegptSynthWorkload({ ...o, count: 600 });
    const byFirst = new Map<string, ReturnType<(typeof rs)[number]['messages']>[]>();
    for (const r of rs) {
      const m = r.messages();
      const key = m[0]!.content;
      byFirst.set(key, [...(byFirst.get(key) ?? []), m]);
    }
    const multi = [...byFirst.values()].filter((turns) => turns.length >= 3);
    expect(multi.length).toBeGreaterThan(10);
    for (const turns of multi) {
      turns.forEach((m, k) => {
        expect(m).toHaveLength(2 * k + 1);
        if (k > 0) expect(m.slice(0, 2 * k - 1)).toEqual(turns[k - 1]);
        expect(m.at(-1)!.role).toBe('user');
      });
      const prompts = turns.map(promptText);
      expect(prompts[1]!.startsWith(prompts[0]!)).toBe(true);
    }
  });
});

describe('trace workload', () => {
  it('keeps the trace arrival times (scaled by speed) and lengths', () => {
    const entries = parseTrace(
      [
        '{"timestamp": 1000, "input_length": 600, "output_length": 5, "hash_ids": [1, 2]}',
        '{"timestamp": 3000, "input_length": 520, "output_length": 0, "hash_ids": [1, 3]}',
      ].join('\n'),
    );
    const rs = traceWorkload(entries, 2);
    expect(rs.map((r) => [r.atMs, r.inputTokens, r.outputTokens])).toEqual([
      [0, 600, 5],
      [1000, 520, 1],
    ]);
    const [a, b] = rs.map((r) => promptText(r.messages()));
    expect(a).toHaveLength(2400);
    expect(a!.slice(0, 2048)).toBe(b!.slice(0, 2048));
  });
});
