/**
 * The Mélange ILP in CPLEX LP text (what HiGHS reads):
 *
 *   minimize   Σ_g cost_g · y_g
 *   subject to Σ_g x_{s,g} = 1                          every slice s is served in full
 *              Σ_s (rps_s / maxRps_{s,g}) · x_{s,g} ≤ y_g  an option's replicas carry its share
 *              0 ≤ x_{s,g} ≤ 1,  y_g ≥ floor_g,  y_g integer
 *
 * x only exists where option g meets slice s's SLO (maxRps > 0). A slice may split across
 * options (x is continuous): Mélange reaches the same effect by cutting buckets into slices and
 * assigning each whole; a continuous share needs no slice factor and the router spreads it.
 */
import type { ReplicaOption } from './allocation.js';
import type { WorkloadSlice } from './load-clustering.js';

/** The LP text with the names it gave the variables. */
export interface LpModel {
  readonly text: string;
  /** Replica variable name per option index. */
  readonly replicaVars: readonly string[];
  /** Share variables: name, slice index, option index. */
  readonly shareVars: readonly {
    readonly name: string;
    readonly slice: number;
    readonly option: number;
  }[];
}

/** Coefficients in plain decimal with enough digits; LP text has no place for NaN or Infinity. */
const num = (v: number): string => {
  if (!Number.isFinite(v)) throw new RangeError(`LP coefficient ${v} is not finite`);
  return Number(v.toPrecision(12)).toString();
};

/** Builds the model for `slices` (each servable by at least one option) over `options`. */
export function buildLpModel(
  slices: readonly WorkloadSlice[],
  options: readonly ReplicaOption[],
): LpModel {
  const replicaVars = options.map((_, g) => `y${g}`);
  const shareVars: { name: string; slice: number; option: number }[] = [];
  const capacity: string[][] = options.map(() => []);
  const rows: string[] = [];
  slices.forEach((slice, s) => {
    const terms: string[] = [];
    options.forEach((option, g) => {
      const rate = option.maxRps(slice);
      if (rate <= 0) return;
      const name = `x${s}_${g}`;
      shareVars.push({ name, slice: s, option: g });
      terms.push(name);
      capacity[g]?.push(`${num(slice.rps / rate)} ${name}`);
    });
    rows.push(` serve${s}: ${terms.join(' + ')} = 1`);
  });
  options.forEach((_, g) => {
    const terms = capacity[g] ?? [];
    if (terms.length > 0) rows.push(` cap${g}: ${terms.join(' + ')} - y${g} <= 0`);
  });
  const objective = options.map((o, g) => `${num(o.costPerHour)} y${g}`).join(' + ');
  const bounds = [
    ...shareVars.map((v) => ` 0 <= ${v.name} <= 1`),
    ...options.map((o, g) => ` y${g} >= ${Math.max(0, Math.ceil(o.minReplicas))}`),
  ];
  const text = [
    'Minimize',
    ` cost: ${objective}`,
    'Subject To',
    ...rows,
    'Bounds',
    ...bounds,
    'Generals',
    ` ${replicaVars.join(' ')}`,
    'End',
  ].join('\n');
  return { text, replicaVars, shareVars };
}
