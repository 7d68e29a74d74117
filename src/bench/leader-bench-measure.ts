/**
 * `bench leader`'s measured window: the leader's /metrics sampled every 5 s, picks through the
 * gateway at a steady rate, the probe's delay trials from a quarter in, and where the leader's
 * threads spent the window (thread-schedstat.ts) beside this process's own event-loop delay.
 */
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { sleep } from '../shared/index.js';
import { ms3 } from './latency-stats.js';
import { sampleLeader, type LeaderSample } from './leader-bench-leader.js';
import { LOOP_SAMPLE_MS, loopDelayMs } from './leader-bench-plan.js';
import type { PickProcess } from './leader-bench-pick-process.js';
import { runProbeTrials, type ProbeAgent } from './leader-bench-probe.js';
import type { LeaderBenchConfig } from './leader-bench-settings.js';
import { readProcessThreads, threadShares } from './thread-schedstat.js';

/** Picks at the bench's rate over every bench model, for `durationMs`. */
const runPicks = (
  c: LeaderBenchConfig,
  picker: PickProcess,
  gatewayUrls: readonly string[],
  durationMs: number,
) =>
  picker.run({
    gatewayUrls,
    models: Array.from({ length: c.models }, (_, i) => `bench-model-${i}`),
    rate: c.rate,
    durationMs,
    timeoutMs: 10_000,
  });

/**
 * The warm-up: `c.warmupS` seconds of the agents' load and, with `c.warmupPicks`, of the picks
 * too, so the measured window starts with the gateway warm (its code compiled, each model's
 * views built, its upstream connections open). The first scrape window of picks is that cold
 * start, a cost paid once per leader: its loop p99 (ms) is returned to be reported apart, or
 * null when the warm-up carries no picks.
 */
export async function warmUp(
  c: LeaderBenchConfig,
  controlUrl: string,
  pickUrls: readonly string[],
  picker: PickProcess,
): Promise<number | null> {
  const warmupMs = c.warmupS * 1000;
  if (!c.warmupPicks || c.rate <= 0 || warmupMs <= 0) {
    await sleep(warmupMs);
    return null;
  }
  await sampleLeader(controlUrl); // the leader's loop window starts here
  const picks = runPicks(c, picker, pickUrls, warmupMs);
  await sleep(Math.min(c.quick ? 1000 : 5000, warmupMs));
  const first = await sampleLeader(controlUrl);
  await picks;
  return ms3(first.loopDelayP99S * 1000);
}

/** A leader process as the window reads it. */
interface Sampled {
  readonly controlUrl: string;
  readonly pid: number;
}

/**
 * Measures one window of `c.duration` seconds at full load, the picks spread over `pickUrls`
 * (the leader's gateway and its followers'); the followers are sampled as the leader is.
 */
export async function measureLeader(
  c: LeaderBenchConfig,
  leader: Sampled,
  gateways: { readonly pickUrls: readonly string[]; readonly followers: readonly Sampled[] },
  probe: ProbeAgent,
  picker: PickProcess,
) {
  const { controlUrl } = leader;
  const { pickUrls, followers } = gateways;
  const samples: LeaderSample[] = [await sampleLeader(controlUrl)];
  const followerSamples = await Promise.all(
    followers.map(async (f) => [await sampleLeader(f.controlUrl)]),
  );
  const threadsBefore = await readProcessThreads(leader.pid);
  const windowStart = performance.now();
  // This process runs the probe (its routing delays) and the scrapes; its own lateness shows in
  // the probe's timings. The picks' client and stubs have a process of their own.
  const benchLoop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  benchLoop.enable();
  const durationMs = c.duration * 1000;
  const stop = new AbortController();
  const sampleEveryMs = c.quick ? 1000 : 5000;
  let scrapeFailures = 0;
  const sampling = (async () => {
    const stopped = (): boolean => stop.signal.aborted;
    while (!stopped()) {
      await sleep(sampleEveryMs, stop.signal).catch(() => undefined);
      if (stopped()) break;
      // A scrape the loaded leader does not answer in time is counted, not fatal.
      const sample = await sampleLeader(controlUrl).catch(() => undefined);
      if (sample === undefined) scrapeFailures++;
      else samples.push(sample);
      for (const [i, f] of followers.entries()) {
        const s = await sampleLeader(f.controlUrl).catch(() => undefined);
        if (s !== undefined) followerSamples[i]?.push(s);
      }
    }
  })();
  const loadAvg: number[] = [];
  const loadTimer = setInterval(() => loadAvg.push(os.loadavg()[0] ?? NaN), 5000);
  const [pickRun, trials] = await Promise.all([
    runPicks(c, picker, pickUrls, durationMs),
    // Probes start a quarter in, so they run at full load, and are bounded by the window. They
    // ask the first gateway picks go to (a follower's: routing there sees the change through
    // the leader's feed).
    sleep(durationMs / 4).then(() => runProbeTrials(probe, pickUrls[0] as string, c.trials, 5000)),
  ]);
  clearInterval(loadTimer);
  benchLoop.disable();
  const threadsAfter = await readProcessThreads(leader.pid);
  const threads =
    threadsBefore === undefined || threadsAfter === undefined
      ? null
      : threadShares(threadsBefore, threadsAfter, performance.now() - windowStart);
  stop.abort();
  await sampling;
  samples.push(await sampleLeader(controlUrl));
  for (const [i, f] of followers.entries())
    followerSamples[i]?.push(await sampleLeader(f.controlUrl));
  const benchLoopDelay = loopDelayMs(benchLoop);
  return {
    samples,
    followerSamples,
    picks: pickRun.picks,
    clientLoopDelayP99Ms: pickRun.loopDelayP99Ms,
    clientLoopDelayMaxMs: pickRun.loopDelayMaxMs,
    trials,
    loadAvg,
    scrapeFailures,
    threads,
    benchLoopDelayP99Ms: benchLoopDelay.p99Ms,
    benchLoopDelayMaxMs: benchLoopDelay.maxMs,
  };
}
