/**
 * NVIDIA's Xid catalog as data, derived row by row from `fixtures/gpu/XID.md` (our summary of
 * NVIDIA's "Analyzing Xid Errors with the Xid Catalog", Ampere and newer). `bucket` is NVIDIA's
 * "Immediate Action"; `action` is how the node agent acts on it (XID.md "node-agent handling").
 * Codes not listed (the catalog's "Unused" codes, or newer ones) are {@link UNKNOWN_XID}.
 */

/**
 * How the agent acts on an Xid:
 * - `reboot-node` (RESTART_BM), `reset-gpu` (RESET_GPU), `drain-workflow` (WORKFLOW_XID_48,
 *   WORKFLOW_NVLINK_ERR: drain, then a reset is normally needed), `restart-vm` → GPU **failed**;
 * - `check-hardware` (CHECK_MECHANICALS) → **degraded**;
 * - `restart-app` (RESTART_APP) and `record` (IGNORE, informational) → counted and logged only;
 * - `per-line` (NVLink5 144–150): `Fatal` lines, 150 and NETIR_LINK_DOWN → failed, others recorded;
 * - `recovery-action` (154): do what the announced recovery action says.
 */
export type XidAction =
  | 'reboot-node'
  | 'reset-gpu'
  | 'drain-workflow'
  | 'restart-vm'
  | 'check-hardware'
  | 'restart-app'
  | 'record'
  | 'per-line'
  | 'recovery-action';

/** One catalog row. */
export interface XidCatalogEntry {
  readonly xid: number;
  readonly mnemonic: string;
  /** NVIDIA's immediate-action bucket, e.g. `RESET_GPU`. */
  readonly bucket: string;
  readonly action: XidAction;
}

type Row = readonly [
  codes: readonly (number | readonly [number, number])[],
  string,
  string,
  XidAction,
];

/** The rows of XID.md's table, in its order. Ranges are inclusive. */
const ROWS: readonly Row[] = [
  [[8], 'FIFO_ERROR_IDLE_TIMEOUT', 'RESTART_APP', 'restart-app'],
  [[11, 25, 32, 69, 80], 'PUSHBUFFER_OR_CLASS_ERROR', 'RESTART_APP', 'restart-app'],
  [[13], 'GR_EXCEPTION', 'RESTART_APP', 'restart-app'],
  [[31], 'FIFO_ERROR_MMU_ERR_FLT', 'RESTART_APP', 'restart-app'],
  [[37, 38], 'FECS_ERROR', 'IGNORE', 'record'],
  [[[39, 41], [70, 72], [75, 77], 85, [126, 135]], 'CE_ERROR', 'RESTART_APP', 'restart-app'],
  [[43], 'RESETCHANNEL_VERIF_ERROR', 'IGNORE', 'record'],
  [[44], 'GR_FAULT_DURING_CTXSW', 'IGNORE', 'record'],
  [[45], 'PREEMPTIVE_REMOVAL', 'WORKFLOW_XID_45', 'record'],
  [[46], 'GPU_TIMEOUT_ERROR', 'RESET_GPU', 'reset-gpu'],
  [[48], 'GPU_ECC_DBE', 'WORKFLOW_XID_48', 'drain-workflow'],
  [[54], 'PWR_REDUCED_CLOCKING', 'CHECK_MECHANICALS', 'check-hardware'],
  [
    [60, 68, [82, 84], 86, 88, 89, [96, 105], 139, 142],
    'MEDIA_ENGINE_ERROR',
    'RESTART_APP',
    'restart-app',
  ],
  [[62], 'PMU_HALT_ERROR', 'RESET_GPU', 'reset-gpu'],
  [[63], 'INFOROM_DRAM_RETIREMENT_EVENT', 'IGNORE', 'record'],
  [[64], 'INFOROM_DRAM_RETIREMENT_FAILURE', 'RESET_GPU', 'reset-gpu'],
  [[66, 67], 'FECS_REGISTER_ACCESS_VIOLATION', 'IGNORE', 'record'],
  [[74], 'NVLINK_ERROR', 'WORKFLOW_NVLINK_ERR', 'drain-workflow'],
  [[78], 'VGPU_START_ERROR', 'UPDATE_SWFW', 'record'],
  [[79], 'GPU_HAS_FALLEN_OFF_THE_BUS', 'RESTART_BM', 'reboot-node'],
  [[92], 'EXCESSIVE_SBE_INTERRUPTS', 'IGNORE', 'record'],
  [[93], 'INFOROM_ERASE_LIMIT_EXCEEDED', 'IGNORE', 'record'],
  [[94], 'CONTAINED_ERROR', 'RESTART_APP', 'restart-app'],
  [[95], 'UNCONTAINED_ERROR', 'RESET_GPU', 'reset-gpu'],
  [[106, 107], 'SMBPBI_TEST_MESSAGE', 'IGNORE', 'record'],
  [[109], 'CTXSW_TIMEOUT_ERROR', 'RESET_GPU', 'reset-gpu'],
  [[110], 'SEC_FAULT_ERROR', 'RESET_GPU', 'reset-gpu'],
  [[119], 'GSP_RPC_TIMEOUT', 'RESET_GPU', 'reset-gpu'],
  [[120], 'GSP_ERROR', 'RESET_GPU', 'reset-gpu'],
  [[121], 'C2C_ERROR', 'IGNORE', 'record'],
  [[136], 'ALI_TRAINING_FAIL', 'RESET_GPU', 'reset-gpu'],
  [[137], 'NVLINK_PRIV_ERR', 'IGNORE', 'record'],
  [[140], 'UNRECOVERABLE_ECC_ERROR_ESCAPE', 'RESET_GPU', 'reset-gpu'],
  [[141], 'FAST_PATH_ERROR', 'IGNORE', 'record'],
  [[152, 153], 'DLA_ERROR', 'IGNORE', 'record'],
  [[143], 'GPU_INIT_ERROR', 'RESET_GPU', 'reset-gpu'],
  [[[144, 150]], 'NVLINK5_ERROR', 'WORKFLOW_NVLINK5_ERR', 'per-line'],
  [[151], 'KEY_ROTATION_ERROR', 'RESTART_VM', 'restart-vm'],
  [[154], 'GPU_RECOVERY_ACTION_CHANGED', 'XID_154', 'recovery-action'],
  [[155], 'NVLINK_SW_DEFINED_ERROR', 'RESET_GPU', 'reset-gpu'],
  [[156], 'RESOURCE_RETIREMENT_EVENT', 'RESET_GPU', 'reset-gpu'],
  [[157], 'RESOURCE_RETIREMENT_FAILURE', 'IGNORE', 'record'],
  [[158], 'GPU_FATAL_TIMEOUT', 'RESET_GPU', 'reset-gpu'],
  [[159], 'CHI_NON_DATA_ERROR', 'CHECK_UVM', 'record'],
  [[160, 161], 'CHANNEL_RETIREMENT', 'IGNORE', 'record'],
  // 162–172 have no bucket in the catalog copy XID.md used; it says to treat 167, 169, 171 and
  // 172 as drain candidates and 162–166 as informational. 168 and 170 it does not classify.
  [[[162, 166], 168, 170], 'NEWER_INFORMATIONAL', '(none)', 'record'],
  [[167], 'PCIE_FATAL_TIMEOUT', '(none: drain candidate)', 'reset-gpu'],
  [[169], 'SEC2_HALT', '(none: drain candidate)', 'reset-gpu'],
  [[171, 172], 'UNCORRECTABLE_DRAM_SRAM_ERROR', '(none: detail for 48)', 'drain-workflow'],
];

function expand(codes: Row[0]): number[] {
  return codes.flatMap((c) =>
    typeof c === 'number' ? [c] : Array.from({ length: c[1] - c[0] + 1 }, (_, i) => c[0] + i),
  );
}

/** The catalog by Xid code. */
export const XID_CATALOG: ReadonlyMap<number, XidCatalogEntry> = new Map(
  ROWS.flatMap(([codes, mnemonic, bucket, action]) =>
    expand(codes).map((xid): [number, XidCatalogEntry] => [xid, { xid, mnemonic, bucket, action }]),
  ),
);

/** What an Xid that is not in the catalog maps to: degraded, so an operator looks at it. */
export const UNKNOWN_XID = { mnemonic: 'UNKNOWN', bucket: '(not in catalog)' } as const;

/** The catalog entry for `xid`, or `undefined` for an unknown code. */
export function xidCatalogEntry(xid: number): XidCatalogEntry | undefined {
  return XID_CATALOG.get(xid);
}
