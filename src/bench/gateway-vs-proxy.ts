/**
 * The gateway against the bare reference proxy, phase by phase: process CPU per request (the
 * gateway's leader vs the proxy's own process) and added latency. On a shared machine the
 * throughput ratio mostly measures the neighbours; CPU per request is what the gateway itself
 * spends, so the targets compare it with the floor a Node proxy reaches in the same run.
 */
import type {
  Added,
  GatewayOwn,
  LoadResult,
  TargetCheck,
  VariantResult,
} from './gateway-report.js';
import { variantsOf } from './gateway-report.js';

/** One phase's CPU per request, gateway and bare proxy, and their ratio. */
export interface CpuComparisonRow {
  readonly variant: string;
  readonly phase: string;
  readonly gatewayCpuMsPerRequest: number;
  readonly proxyCpuMsPerRequest: number;
  readonly ratio: number;
  /** The same, less each process's idle CPU rate over the phase's wall time: per-request work only. */
  readonly gatewayNetCpuMsPerRequest: number;
  readonly proxyNetCpuMsPerRequest: number;
  readonly netRatio: number;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Each phase of a variant with its CPU view, in report order; `all phases` pools them. */
function phases(v: VariantResult): [string, GatewayOwn][] {
  const out: [string, GatewayOwn][] = [['sequential', v.sequential.gatewayOwn]];
  if (v.paced !== undefined) out.push([`paced ${v.paced.offeredRps} req/s`, v.paced.gatewayOwn]);
  for (const t of v.throughput) out.push([`closed loop c=${t.concurrency}`, t.gatewayOwn]);
  const sum = (pick: (o: GatewayOwn) => number | undefined): number =>
    out.reduce((a, [, o]) => a + (pick(o) ?? NaN), 0);
  const cpuMs = sum((o) => o.cpuMs);
  const requests = sum((o) => o.requests);
  const wallMs = sum((o) => o.wallMs);
  out.push(['all phases', { cpuMs, wallMs, requests, cpuMsPerRequest: round3(cpuMs / requests) }]);
  return out;
}

/** CPU per request of the gateway and the bare proxy for every phase both ran. */
export function compareCpu(gateway: LoadResult, reference: LoadResult): CpuComparisonRow[] {
  const rows: CpuComparisonRow[] = [];
  const refs = new Map(variantsOf(reference));
  const net = (o: GatewayOwn | undefined, idleMsPerS: number | undefined): number =>
    o === undefined
      ? NaN
      : round3(
          ((o.cpuMs ?? NaN) - ((idleMsPerS ?? NaN) * (o.wallMs ?? NaN)) / 1000) /
            (o.requests ?? NaN),
        );
  for (const [variant, g] of variantsOf(gateway)) {
    const r = refs.get(variant);
    if (r === undefined) continue;
    const refPhases = new Map(phases(r));
    for (const [phase, own] of phases(g)) {
      const ref = refPhases.get(phase);
      const gw = own.cpuMsPerRequest ?? NaN;
      const px = ref?.cpuMsPerRequest ?? NaN;
      const gwNet = net(own, gateway.idleCpuMsPerSecond);
      const pxNet = net(ref, reference.idleCpuMsPerSecond);
      rows.push({
        variant,
        phase,
        gatewayCpuMsPerRequest: gw,
        proxyCpuMsPerRequest: px,
        ratio: round3(gw / px),
        gatewayNetCpuMsPerRequest: gwNet,
        proxyNetCpuMsPerRequest: pxNet,
        netRatio: round3(gwNet / pxNet),
      });
    }
  }
  return rows;
}

/**
 * The targets against the bare proxy, per variant: CPU per request ≤ 1.25× (all phases
 * pooled), sequential added p50 ≤ 1.2× and added p99 ≤ 2× the proxy's. A figure that could not
 * be measured (NaN) fails.
 */
export function checkAgainstProxy(gateway: LoadResult, reference: LoadResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const le = (target: string, measured: number, limit: number): void => {
    checks.push({ target, measured: round3(measured), limit, pass: measured <= limit });
  };
  const cpu = compareCpu(gateway, reference);
  const refs = new Map(variantsOf(reference));
  for (const [variant, g] of variantsOf(gateway)) {
    const r = refs.get(variant);
    if (r === undefined) continue;
    const pooled = cpu.find((c) => c.variant === variant && c.phase === 'all phases');
    le(`${variant}: CPU per request ÷ bare proxy's, all phases`, pooled?.ratio ?? NaN, 1.25);
    const ga = g.sequential.added;
    const ra = r.sequential.added;
    le(`${variant}: added p50 ÷ bare proxy's, sequential`, ga.p50Ms / ra.p50Ms, 1.2);
    le(`${variant}: added p99 ÷ bare proxy's, sequential`, ga.p99Ms / ra.p99Ms, 2);
  }
  return checks;
}

/** The markdown section: CPU per request, gateway vs bare proxy, every phase. */
export function renderCpuComparison(
  rows: readonly CpuComparisonRow[],
  gateway: LoadResult,
  reference: LoadResult | undefined,
): string[] {
  if (rows.length === 0) return [];
  return [
    '',
    '## CPU per request: gateway (leader process) vs bare proxy (its own process)',
    '',
    'Process CPU time (user + system) over the requests that process served in the phase, ms. ' +
      `"Net" subtracts each process's idle CPU rate (measured for 3 s before the load, no request ` +
      `in flight: gateway ${String(gateway.idleCpuMsPerSecond)} ms/s, bare proxy ` +
      `${String(reference?.idleCpuMsPerSecond)} ms/s) over the phase's wall time: the work that ` +
      'scales with requests. The targets use the raw figures.',
    '',
    '| variant | phase | gateway ms/req | bare proxy ms/req | ratio | gateway net | proxy net | net ratio |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.phase} | ${r.gatewayCpuMsPerRequest} | ${r.proxyCpuMsPerRequest} | **${r.ratio}** | ${r.gatewayNetCpuMsPerRequest} | ${r.proxyNetCpuMsPerRequest} | ${r.netRatio} |`,
    ),
  ];
}

/** The reference proxy against the gateway, non-streaming: what a bare Node proxy reaches here. */
export interface ReferenceSummary {
  readonly sequentialAdded: Added;
  readonly pacedAdded: Added | undefined;
  readonly throughput: readonly {
    readonly concurrency: number;
    readonly directRps: number;
    readonly proxyRps: number;
    readonly ratio: number;
    /** Gateway req/s ÷ reference proxy req/s at this concurrency. */
    readonly gatewayOverProxy: number;
  }[];
  readonly note: string;
}

/** Condenses the reference proxy's results next to the gateway's. */
export function summarizeReference(
  gateway: LoadResult,
  ref: LoadResult,
): ReferenceSummary | undefined {
  const r = ref['non-streaming'];
  const g = gateway['non-streaming'];
  if (r === undefined) return undefined;
  return {
    sequentialAdded: r.sequential.added,
    pacedAdded: r.paced?.added,
    throughput: r.throughput.map((t) => {
      const gw = g?.throughput.find((x) => x.concurrency === t.concurrency);
      return {
        concurrency: t.concurrency,
        directRps: t.directRps,
        proxyRps: t.gatewayRps,
        ratio: t.ratio,
        gatewayOverProxy:
          gw === undefined ? NaN : Math.round((gw.gatewayRps / t.gatewayRps) * 1000) / 1000,
      };
    }),
    note: 'bare node:http proxy (read body, JSON.parse, keep-alive forward, pipe back), measured with the same load in turns with the gateway, phase by phase (gateway, proxy, proxy, gateway)',
  };
}
