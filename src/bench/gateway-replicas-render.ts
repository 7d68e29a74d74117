/**
 * The replicas section's targets (issue #18: ≥ 1.8× throughput with 2 replicas, ≥ 99 % of
 * prompts on the same engine whichever replica receives them, no failed request that had not
 * reached an engine through a leader kill) and its markdown for gateway.md.
 */
import type { TargetCheck } from './gateway-report.js';
import type { ReplicasSection } from './gateway-replicas.js';

/** The section's targets, measured; reported, never asserted. */
export function checkReplicaTargets(r: ReplicasSection): TargetCheck[] {
  const most = Math.max(...r.counts);
  const checks: TargetCheck[] = [];
  if (most > 1)
    checks.push({
      target: `replicas: throughput with ${most} replicas ÷ with 1 at c=${r.concurrency}`,
      measured: r.throughput.ratio,
      limit: 1.8,
      pass: r.throughput.ratio >= 1.8,
    });
  const share = r.stickiness.crossReplica.share;
  checks.push(
    {
      target: 'replicas: prompts on the same engine through either replica',
      measured: share,
      limit: 0.99,
      pass: share >= 0.99,
    },
    {
      target: 'replicas: requests failed through a leader kill that had not reached an engine',
      measured: r.kill.failedNotReachedEngine,
      limit: 0,
      pass: r.kill.failedNotReachedEngine === 0,
    },
  );
  return checks;
}

const f = (v: number | undefined): string =>
  v === undefined || !Number.isFinite(v) ? '–' : String(v);

/** The markdown section (appended after the Targets table). */
export function renderReplicas(r: ReplicasSection): string[] {
  const k = r.kill;
  const sameRep = r.stickiness.sameReplica;
  const cross = r.stickiness.crossReplica;
  const gap = r.stickiness.crossReplicaAfterGap;
  const lines = [
    '',
    '## Gateway replicas',
    '',
    `Closed loop at c=${r.concurrency} spread round-robin per request over the first R replicas ` +
      `(leader first), ABBA halves; the engines straight at the same concurrency: ` +
      `**${r.throughput.directRps} req/s**. Throughput ratio (most ÷ 1): **${r.throughput.ratio}**.`,
    '',
    '| replicas | req/s | errors | p50 / p99 ms | CPU ms/req per replica | requests per replica |',
    '|---|---|---|---|---|---|',
    ...r.throughput.points.map(
      (p) =>
        `| ${p.replicas} | ${p.rps} | ${p.errors} | ${p.latency.p50Ms} / ${p.latency.p99Ms} | ` +
        `${p.perReplica.map((x) => `${x.name} ${f(x.cpuMsPerRequest)}`).join(', ')} | ` +
        `${p.perReplica.map((x) => f(x.requests)).join(' / ')} |`,
    ),
    '',
    `Prefix stickiness (${r.stickiness.promptBytes}-byte distinct prompts, one request at a ` +
      `time, engine from the gateway's ` +
      `\`target-pod\` header):`,
    '',
    '| pairs | same engine | share | errors | no engine named | engines used |',
    '|---|---|---|---|---|---|',
    `| first through one replica, then right after through another | ${cross.sameEngine} / ${cross.prompts} | **${cross.share}** | ${cross.errors} | ${cross.missingEngine} | ${cross.enginesUsed} |`,
    ...(gap === undefined
      ? []
      : [
          `| the same with ${r.stickiness.gapMs} ms between the two | ${gap.sameEngine} / ${gap.prompts} | ${gap.share} | ${gap.errors} | ${gap.missingEngine} | ${gap.enginesUsed} |`,
        ]),
    `| baseline: twice through one replica | ${sameRep.sameEngine} / ${sameRep.prompts} | ${sameRep.share} | ${sameRep.errors} | ${sameRep.missingEngine} | ${sameRep.enginesUsed} |`,
    ...(cross.mismatches.length === 0
      ? []
      : [
          '',
          `Cross-replica pairs on different engines (first ${cross.mismatches.length}, replica 0 = the leader): ` +
            cross.mismatches
              .map((m) => `#${m.prompt} ${m.replicas.join('→')}: ${m.engines.join(' vs ')}`)
              .join('; ') +
            '.',
        ]),
    '',
    `Leader kill under load (SIGKILL ${k.killedAfterMs} ms into a ${k.durationMs}-ms closed loop ` +
      `over every replica; the client retries on the next replica a refused connection and a reset ` +
      `of a reused keep-alive connection before any response byte, as the openai client retries ` +
      `connection errors, nothing else): ${k.requests} requests, ${k.served} served, ${k.failed} failed — ` +
      `**${k.failedInFlightOnKilled} in flight on the killed process**, ` +
      `**${k.failedNotReachedEngine} that had not reached an engine** ` +
      `(${k.failedOnStaleKeepAlive} of them sent after the kill on a keep-alive connection to the ` +
      `killed replica the client had not yet seen close); ` +
      `${k.retriedAfterRefused} retried after a refused connection; ` +
      `${k.retriedAfterStaleReset.sentAfterKill} retried after a stale keep-alive reset, first sent ` +
      `after the kill (never reached an engine), ${k.retriedAfterStaleReset.sentBeforeKill} first ` +
      `sent before it (may have reached one through the killed process); errors ${JSON.stringify(k.errorsByCode)}. ` +
      (k.takeover === undefined
        ? 'No follower was seen leading within the wait.'
        : `${k.takeover.by} led ${k.takeover.afterMs} ms after the kill ` +
          `(replicas.takeoverAfterMs ${r.takeoverAfterMs}). `) +
      `Followers served ${k.servedByFollowersAfterKill} requests sent after the kill.`,
    '',
    `| second (0 = the kill) | ${r.kill.windows[0]?.byReplica.map((_, i) => (i === 0 ? 'leader' : `replica ${i}`)).join(' | ') ?? ''} | total |`,
    `|---|${r.kill.windows[0]?.byReplica.map(() => '---|').join('') ?? ''}---|`,
    ...k.windows.map((w) => `| ${w.startS} | ${w.byReplica.join(' | ')} | ${w.total} |`),
  ];
  return lines;
}
