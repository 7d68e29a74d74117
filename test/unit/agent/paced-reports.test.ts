import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PacedReports } from '../../../src/agent/paced-reports.js';
import type { EngineReport } from '../../../src/protocol/index.js';
import { SeededRng } from '../../../src/shared/index.js';

const clock = { now: () => Date.now(), monotonicMs: () => Date.now() };
/** A report told apart by its url. */
const report = (n: number): EngineReport[] => [
  { id: 'n/e0', model: 'm', url: `u${n}`, ready: true, adapters: [] },
];

/** An agent scraping every 500 ms from `phaseMs`, its sends' times recorded. */
function agent(random: () => number) {
  const sentAt: number[] = [];
  const paced = new PacedReports(
    clock,
    () => {
      sentAt.push(Date.now());
      return true;
    },
    random,
  );
  return { paced, sentAt };
}

describe('PacedReports', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('sends at once unpaced, and at most once per gap when paced, the newest report', () => {
    const sends: number[][] = [];
    const paced = new PacedReports(
      clock,
      (r) => sends.push([Date.now(), Number(r[0]?.url.slice(1))]) > 0,
      () => 0.5,
    );
    paced.offer(report(1));
    paced.pace(1_000); // phase 0.5: the next report may go 500 ms from now
    paced.offer(report(2));
    vi.advanceTimersByTime(200);
    paced.offer(report(3)); // supersedes 2
    vi.advanceTimersByTime(300);
    paced.offer(report(4)); // 1,000 ms after the last send: waits
    vi.advanceTimersByTime(1_000);
    expect(sends).toEqual([
      [0, 1],
      [500, 3],
      [1_500, 4],
    ]);
    paced.offer(report(5));
    paced.pace(0); // lifting the pace sends what waits at once
    expect(sends.at(-1)).toEqual([1_500, 5]);
  });

  it('spreads agents that hear a new pace together over the whole gap', () => {
    const rng = new SeededRng(7);
    const agents = Array.from({ length: 200 }, () => agent(() => rng.next()));
    // Unpaced, each reports at its own point of one 500-ms scrape period.
    const scrapePhase = agents.map((_, i) => (i % 50) * 10);
    const end = 20_000;
    let paced = false;
    for (let t = 0; t < end; t += 10) {
      if (t === 1_000 && !paced) {
        paced = true;
        for (const a of agents) a.paced.pace(5_000);
      }
      agents.forEach((a, i) => {
        if (t >= (scrapePhase[i] as number) && (t - (scrapePhase[i] as number)) % 500 === 0)
          a.paced.offer(report(t));
      });
      vi.advanceTimersByTime(10);
    }
    // Where in a 5-s gap each agent's paced reports land: over the whole gap, not one scrape period.
    const phases = agents.map((a) => (a.sentAt.find((at) => at > 6_500) as number) % 5_000);
    const buckets = new Array<number>(10).fill(0);
    for (const p of phases) buckets[Math.floor(p / 500)]! += 1;
    for (const b of buckets) expect(b).toBeGreaterThan(5);
    // Each still keeps the gap.
    for (const a of agents) {
      const late = a.sentAt.filter((at) => at > 1_000);
      for (let k = 1; k < late.length; k++)
        expect((late[k] as number) - (late[k - 1] as number)).toBeGreaterThanOrEqual(5_000);
    }
  });
});
