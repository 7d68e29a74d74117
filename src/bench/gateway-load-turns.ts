/**
 * The gateway benchmark's subjects in turns. The gateway and the bare reference proxy used to be
 * measured in two whole passes, minutes apart; on a shared machine whose speed drifts over
 * minutes, their CPU-per-request ratio moved by a third between runs with neither changed. Now
 * each phase runs on every subject in turn, in ABBA order (gateway, proxy, proxy, gateway), so
 * a drift falls on both alike. Each subject keeps its own view (CPU, requests), summed over its
 * turns.
 */
import { GatewayView } from './gateway-view.js';
import {
  runPaced,
  runSequential,
  type LoadPlan,
  type SequentialResult,
  type Target,
} from './load-client.js';

/** One process under test: where requests go, and the plan its view reads it by. */
export interface Subject {
  readonly target: Target;
  readonly plan: LoadPlan;
}

/** Subject indexes for turn `k`: in order on even turns, reversed on odd ones (ABBA). */
export function turnOrder(subjects: number, k: number): number[] {
  const order = Array.from({ length: subjects }, (_, i) => i);
  return k % 2 === 0 ? order : order.reverse();
}

/**
 * `rounds` sequential rounds of `perRound` pairs (direct, subject) for every subject, one round
 * per turn; the rounds keep runSequential's alternation of which target goes first.
 */
export async function sequentialInTurns(
  subjects: readonly Subject[],
  direct: Target,
  bodyFor: (i: number) => Buffer,
  rounds: number,
  perRound: number,
  timeoutMs: number,
): Promise<{ seq: SequentialResult; view: GatewayView }[]> {
  const out = subjects.map((s): { seq: SequentialResult; view: GatewayView } => ({
    seq: { direct: [], gateway: [], paired: [], rounds: [], errors: 0 },
    view: new GatewayView(s.plan),
  }));
  for (let r = 0; r < rounds; r++)
    for (const k of turnOrder(subjects.length, r)) {
      const into = out[k];
      const subject = subjects[k];
      if (into === undefined || subject === undefined) continue;
      await into.view.begin();
      const one = await runSequential(direct, subject.target, bodyFor, 1, perRound, timeoutMs, r);
      await into.view.end();
      into.seq.direct.push(...one.direct);
      into.seq.gateway.push(...one.gateway);
      into.seq.paired.push(...one.paired);
      into.seq.rounds.push(...one.rounds);
      into.seq.errors += one.errors;
    }
  return out;
}

type PacedRun = Awaited<ReturnType<typeof runPaced>>;

/** `a` with at least `n` windows, holes filled with empty ones (a window only one side used). */
const padded = (a: number[][], n: number): number[][] =>
  Array.from({ length: n }, (_, i) => a[i] ?? []);

/** Two paced runs one after the other as one: samples, 1-s windows and errors joined. */
function joinPaced(a: PacedRun, b: PacedRun): PacedRun {
  const n = (r: PacedRun): number => Math.max(r.windows[0].length, r.windows[1].length);
  const windows = (side: 0 | 1): number[][] => [
    ...padded(a.windows[side], n(a)),
    ...padded(b.windows[side], n(b)),
  ];
  return {
    samples: [
      [...a.samples[0], ...b.samples[0]],
      [...a.samples[1], ...b.samples[1]],
    ],
    windows: [windows(0), windows(1)],
    errors: a.errors + b.errors,
    achievedRps: (a.achievedRps + b.achievedRps) / 2,
  };
}

/** Paced arrivals (direct and subject alternating) for `durationMs` per subject, in two halves. */
export async function pacedInTurns(
  subjects: readonly Subject[],
  direct: Target,
  bodyFor: (i: number) => Buffer,
  plan: Pick<LoadPlan, 'rate' | 'durationMs'>,
  timeoutMs: number,
): Promise<{ p: PacedRun; view: GatewayView }[]> {
  const halves: PacedRun[][] = subjects.map(() => []);
  const views = subjects.map((s) => new GatewayView(s.plan));
  for (let h = 0; h < 2; h++)
    for (const k of turnOrder(subjects.length, h)) {
      const subject = subjects[k];
      const view = views[k];
      if (subject === undefined || view === undefined) continue;
      await view.begin();
      const run = await runPaced(
        [direct, subject.target],
        bodyFor,
        plan.rate,
        plan.durationMs / 2,
        timeoutMs,
      );
      await view.end();
      halves[k]?.push(run);
    }
  return halves.map(([a, b], k) => ({
    p: joinPaced(a as PacedRun, b as PacedRun),
    view: views[k] as GatewayView,
  }));
}
