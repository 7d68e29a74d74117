/**
 * The gateway benchmark's result shape, its targets (reported pass/fail, never asserted) and the
 * markdown summary written next to the JSON result.
 */
import type { GatewayOwnSummary, LatencySummary } from './latency-stats.js';

/** Added latency, gateway minus direct, at two percentiles. */
export interface Added {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * What the gateway's own histogram and the process under test (the leader, or the reference
 * proxy) say about one phase: its CPU time, the requests it served and their ratio.
 */
export type GatewayOwn = Partial<GatewayOwnSummary> & {
  readonly leaderCpuMsPerRequest?: number;
  readonly cpuMs?: number;
  /** Wall time the CPU figure covers, ms. */
  readonly wallMs?: number;
  readonly requests?: number;
  readonly cpuMsPerRequest?: number;
};

/** Sequential pairs: one request at a time, direct and gateway alternating. */
export interface SequentialPhase {
  readonly pairs: number;
  readonly errors: number;
  readonly direct: LatencySummary;
  readonly gateway: LatencySummary;
  /** Difference of the percentiles. */
  readonly added: Added;
  /** Percentiles of the per-pair differences. */
  readonly pairedDifference: LatencySummary;
  readonly medianOfRoundMedianDifferencesMs: number;
  readonly gatewayOwn: GatewayOwn;
}

/** Open-loop arrivals at a moderate rate, split evenly between direct and gateway. */
export interface PacedPhase {
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly errors: number;
  readonly direct: LatencySummary;
  readonly gateway: LatencySummary;
  readonly added: Added;
  /** Added p50/p99 per one-second window, median over the windows. */
  readonly windowed: Added & { readonly windows: number };
  readonly gatewayOwn: GatewayOwn;
}

/** Closed-loop throughput at one concurrency, direct vs gateway. */
export interface ThroughputPoint {
  readonly concurrency: number;
  readonly directRps: number;
  readonly gatewayRps: number;
  readonly ratio: number;
  readonly errors: number;
  readonly directLatency: LatencySummary;
  readonly gatewayLatency: LatencySummary;
  readonly gatewayOwn: GatewayOwn;
}

/** One request shape's results (non-streaming or streaming). */
export interface VariantResult {
  readonly sequential: SequentialPhase;
  readonly paced: PacedPhase | undefined;
  readonly throughput: readonly ThroughputPoint[];
}

/** The load generator's output, by variant. */
export type LoadResult = Partial<Record<'non-streaming' | 'streaming', VariantResult>> & {
  /** CPU the process under test spent per second with no request in flight, ms/s. */
  readonly idleCpuMsPerSecond?: number;
};

const VARIANTS = ['non-streaming', 'streaming'] as const;

/** The variants a result holds, in report order. */
export function variantsOf(result: LoadResult): [string, VariantResult][] {
  return VARIANTS.flatMap((name): [string, VariantResult][] => {
    const v = result[name];
    return v === undefined ? [] : [[name, v]];
  });
}

/** One target, measured. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: number;
  readonly limit: number;
  readonly pass: boolean;
}

/** The targets from the brief: added p50 ≤ 0.5 ms, p99 ≤ 2 ms at moderate load, ratio ≥ 0.7. */
export function checkTargets(result: LoadResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const le = (target: string, measured: number, limit: number): void => {
    checks.push({ target, measured, limit, pass: measured <= limit });
  };
  for (const [variant, v] of variantsOf(result)) {
    le(`${variant}: added p50, sequential (ms)`, v.sequential.added.p50Ms, 0.5);
    le(`${variant}: added p99, sequential (ms)`, v.sequential.added.p99Ms, 2);
    if (v.paced !== undefined) {
      const rps = v.paced.offeredRps;
      le(`${variant}: added p99 at ${rps} req/s paced, whole phase (ms)`, v.paced.added.p99Ms, 2);
      le(
        `${variant}: added p99 at ${rps} req/s paced, median of 1-s windows (ms)`,
        v.paced.windowed.p99Ms,
        2,
      );
    }
    for (const t of v.throughput) {
      checks.push({
        target: `${variant}: throughput ratio at c=${t.concurrency}`,
        measured: t.ratio,
        limit: 0.7,
        pass: t.ratio >= 0.7,
      });
    }
  }
  return checks;
}

const f = (v: number | null | undefined): string =>
  v === undefined || v === null ? '–' : String(v);

/** Puts the gateway next to the reference proxy, measured on the same machine minutes apart. */
function readingNotes(result: LoadResult, reference: LoadResult | undefined): string[] {
  const g = result['non-streaming'];
  const r = reference?.['non-streaming'];
  if (g === undefined || r === undefined) return [];
  const ms = (v: number): string => v.toFixed(3);
  const ratios = g.throughput.map((t) => {
    const ref = r.throughput.find((x) => x.concurrency === t.concurrency);
    return ref === undefined
      ? ''
      : `c=${t.concurrency}: ${(t.gatewayRps / ref.gatewayRps).toFixed(2)}`;
  });
  return [
    '',
    '## Reading it',
    '',
    `- Against a bare \`node:http\` proxy (read body, JSON.parse, keep-alive forward, pipe back) ` +
      `under the same load: the gateway adds ${ms(g.sequential.added.p50Ms)} ms p50 sequentially, ` +
      `the bare proxy ${ms(r.sequential.added.p50Ms)} ms; gateway req/s ÷ bare-proxy req/s: ` +
      `${ratios.filter((x) => x !== '').join(', ')}.`,
    `- The gateway's own histogram (parse, admit, route, dispatch, relay headers) puts its share ` +
      `at ${String(g.sequential.gatewayOwn.p50Ms ?? '–')} ms p50; the rest of the added time is ` +
      `the extra loopback hop and process wake-ups.`,
    '- Paced p99 and closed-loop throughput on a shared 2-core machine are dominated by CPU ' +
      'contention (compare the reference rows); the sequential p50 is the stable figure.',
  ];
}

/** What the markdown summary is made from. */
export interface MarkdownInput {
  readonly command: string;
  readonly at: string;
  readonly machine: string;
  readonly result: LoadResult;
  readonly reference: LoadResult | undefined;
  readonly checks: readonly TargetCheck[];
  readonly note: string;
  /** Markdown lines placed after the reading notes (the CPU comparison). */
  readonly extra?: readonly string[];
}

/** A short markdown summary of a run. */
export function renderMarkdown(input: MarkdownInput): string {
  const { command, at, machine, result, reference, checks, note, extra = [] } = input;
  const lines = [
    '# Gateway benchmark: added latency and throughput',
    '',
    `Command: \`${command}\` (after \`npx tsc -p tsconfig.build.json\`)`,
    '',
    `Run ${at} on ${machine}. ${note}`,
    '',
    '## Targets',
    '',
    '| target | measured | limit | pass |',
    '|---|---|---|---|',
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.limit} | ${c.pass ? 'yes' : 'no'} |`),
    ...readingNotes(result, reference),
    ...extra,
  ];
  const sections: [string, VariantResult | undefined][] = [
    ...variantsOf(result),
    ...variantsOf(reference ?? {}).map(([variant, v]): [string, VariantResult] => [
      `${variant}, reference: bare node:http proxy instead of the gateway`,
      v,
    ]),
  ];
  for (const [variant, v] of sections) {
    if (v === undefined) continue;
    const s = v.sequential;
    lines.push(
      '',
      `## ${variant}`,
      '',
      `Latency in ms. Sequential: ${s.pairs} pairs; paced: open-loop arrivals split evenly.`,
      '',
      '| phase | direct p50 | gateway p50 | added p50 | direct p99 | gateway p99 | added p99 | paired-diff p50 / p99 | gateway own mean / p50 / p99 |',
      '|---|---|---|---|---|---|---|---|---|',
      `| sequential | ${s.direct.p50Ms} | ${s.gateway.p50Ms} | **${s.added.p50Ms}** | ${s.direct.p99Ms} | ${s.gateway.p99Ms} | **${s.added.p99Ms}** | ${s.pairedDifference.p50Ms} / ${s.pairedDifference.p99Ms} | ${f(s.gatewayOwn.meanMs)} / ${f(s.gatewayOwn.p50Ms)} / ${f(s.gatewayOwn.p99Ms)} |`,
    );
    const p = v.paced;
    if (p !== undefined)
      lines.push(
        `| paced ${p.offeredRps} req/s | ${p.direct.p50Ms} | ${p.gateway.p50Ms} | **${p.added.p50Ms}** | ${p.direct.p99Ms} | ${p.gateway.p99Ms} | **${p.added.p99Ms}** | – | ${f(p.gatewayOwn.meanMs)} / ${f(p.gatewayOwn.p50Ms)} / ${f(p.gatewayOwn.p99Ms)} |`,
        `| paced, median of ${p.windowed.windows} 1-s windows | | | **${p.windowed.p50Ms}** | | | **${p.windowed.p99Ms}** | – | |`,
      );
    lines.push(
      '',
      '| concurrency | direct req/s | gateway req/s | ratio | gateway p50 / p99 ms | CPU ms/req |',
      '|---|---|---|---|---|---|',
      ...v.throughput.map(
        (t) =>
          `| ${t.concurrency} | ${t.directRps} | ${t.gatewayRps} | **${t.ratio}** | ${t.gatewayLatency.p50Ms} / ${t.gatewayLatency.p99Ms} | ${f(t.gatewayOwn.cpuMsPerRequest)} |`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
