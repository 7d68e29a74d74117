import { describe, expect, it } from 'vitest';
import { engineCacheLossListener } from '../../../src/agent/kv-engine-restarts.js';
import type { EngineReport } from '../../../src/protocol/index.js';

/** A report with only what the listener reads (metrics: just the request counter). */
const report = (id: string, ready: boolean, requests?: number): EngineReport =>
  ({
    id,
    model: 'm',
    url: 'http://127.0.0.1:1',
    ready,
    adapters: [],
    ...(requests === undefined ? {} : { metrics: { scrape: { requestSuccessTotal: requests } } }),
  }) as unknown as EngineReport;

describe('engineCacheLossListener', () => {
  it('reports an engine once when it goes down, not while it stays down or comes back', () => {
    const lost: string[] = [];
    const listen = engineCacheLossListener((id) => lost.push(id));
    listen([report('a', true), report('b', true)]);
    listen([report('a', false), report('b', true)]);
    listen([report('a', false), report('b', true)]);
    listen([report('a', true), report('b', true)]);
    expect(lost).toEqual(['a']);
  });

  it('reports a restart seen only as a request counter going back', () => {
    const lost: string[] = [];
    const listen = engineCacheLossListener((id) => lost.push(id));
    listen([report('a', true, 5)]);
    listen([report('a', true, 7)]);
    expect(lost).toEqual([]);
    listen([report('a', true, 0)]);
    expect(lost).toEqual(['a']);
  });

  it('does not count an engine first seen down, nor one missing a scrape', () => {
    const lost: string[] = [];
    const listen = engineCacheLossListener((id) => lost.push(id));
    listen([report('a', false, 3)]);
    listen([report('a', false)]);
    listen([report('a', true, 3)]);
    expect(lost).toEqual([]);
  });

  it('forgets engines that leave the node', () => {
    const lost: string[] = [];
    const listen = engineCacheLossListener((id) => lost.push(id));
    listen([report('a', true, 9)]);
    listen([]);
    listen([report('a', true, 0)]);
    expect(lost).toEqual([]);
  });
});
