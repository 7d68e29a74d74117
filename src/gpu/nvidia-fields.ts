/**
 * The one list of `nvidia-smi --query-gpu` fields the probe asks for, checked against
 * `nvidia-smi --help-query-gpu` of driver 590.48.01 (test/fixtures/gpu). Keep it here, in one
 * place, so a test can assert the exact command line and the parser can map columns by name.
 */

/**
 * Fields in query order. Notes from the help text:
 * - `clocks_throttle_reasons.active` is accepted by old drivers and, as an alias of
 *   `clocks_event_reasons.active`, by new ones (590 lists both names), so it works everywhere.
 * - `retired_pages.*` is for pre-Ampere GPUs and `remapped_rows.*` for A100/H100+; both exist in
 *   the 590 help and print `[N/A]` where they do not apply.
 * - `temperature.gpu.tlimit` is the T.Limit headroom (°C below the max operating temperature); the
 *   absolute slowdown threshold is not a `--query-gpu` field (only `-q` prints it).
 * - {@link NVIDIA_OPTIONAL_FIELDS} may be missing on older drivers; the probe drops them when the
 *   tool answers `Field "…" is not a valid field to query`.
 */
export const NVIDIA_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'pci.bus_id',
  'memory.total',
  'memory.used',
  'utilization.gpu',
  'utilization.memory',
  'temperature.gpu',
  'temperature.gpu.tlimit',
  'power.draw',
  'power.limit',
  'clocks_throttle_reasons.active',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
  'retired_pages.sbe',
  'retired_pages.dbe',
  'retired_pages.pending',
  'remapped_rows.correctable',
  'remapped_rows.uncorrectable',
  'remapped_rows.pending',
  'remapped_rows.failure',
  'pcie.link.gen.current',
  'pcie.link.gen.max',
  'pcie.link.width.current',
  'pcie.link.width.max',
  'mig.mode.current',
  'gpu_recovery_action',
] as const;

/** One `--query-gpu` field name. */
export type NvidiaQueryField = (typeof NVIDIA_QUERY_FIELDS)[number];

/** Fields the probe can live without (newer than some supported drivers). */
export const NVIDIA_OPTIONAL_FIELDS: readonly NvidiaQueryField[] = [
  'temperature.gpu.tlimit',
  'retired_pages.sbe',
  'retired_pages.dbe',
  'retired_pages.pending',
  'remapped_rows.correctable',
  'remapped_rows.uncorrectable',
  'remapped_rows.pending',
  'remapped_rows.failure',
  'mig.mode.current',
  'gpu_recovery_action',
];

/** The argv for one query of `fields`: `--query-gpu=a,b,… --format=csv,noheader,nounits`. */
export function nvidiaQueryArgs(fields: readonly string[] = NVIDIA_QUERY_FIELDS): string[] {
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'];
}

/** The argv that lists GPUs and their MIG devices (`nvidia-smi -L`). */
export const NVIDIA_LIST_ARGS: readonly string[] = ['-L'];
