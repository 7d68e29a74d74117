/**
 * The GPU area's public surface (DESIGN.md §3, STYLE.md §23): probes (nvidia-smi, rocm-smi, none)
 * behind the {@link GpuProbe} port, pure parsers, the pure health policy, and the
 * {@link GpuMonitor} runnable the agent hosts. Typical wiring in the agent's main:
 *
 * ```ts
 * const gpu = asGpuConfig(config.gpu);
 * const probe = await createGpuProbe({ config: gpu, log });        // throws if failOnProbeError
 * const monitor = new GpuMonitor({
 *   probe,
 *   kernelLog: probe.tool === 'nvidia-smi'
 *     ? new FileKernelLogSource({ path: gpu.kmsgPath, fromStart: gpu.kmsgFromStart,
 *         maxLinesPerRead: gpu.kmsgMaxLinesPerRead, log }) : null,
 *   hostProbe: new OsHostProbe(), cachePath,
 *   config: gpu, clock: systemClock, log: log.child({ component: 'gpu' }), registry, node,
 * });
 * monitor.onChange((report, transitions) => { … send state to the leader … });
 * // GET /v1/gpus → monitor.report()
 * ```
 */
export type {
  GpuFacts,
  GpuHealth,
  GpuHealthState,
  GpuReport,
  GpuReportEntry,
  GpuSample,
  GpuVendorTool,
  HostFacts,
  LostGpu,
  MigDeviceFacts,
  XidEvent,
} from './gpu-facts.js';
export { GPU_HEALTH_STATES } from './gpu-facts.js';
export type { CallOptions, GpuProbe, HostProbe, KernelLogSource } from './gpu-probe.js';
export {
  DEFAULT_GPU_CONFIG,
  GPU_TOOL_CHOICES,
  asGpuConfig,
  gpuConfigSpec,
  type GpuConfig,
} from './gpu-config.js';
export { normalizeBusId } from './bus-id.js';
export {
  NVIDIA_LIST_ARGS,
  NVIDIA_OPTIONAL_FIELDS,
  NVIDIA_QUERY_FIELDS,
  nvidiaQueryArgs,
  type NvidiaQueryField,
} from './nvidia-fields.js';
export { parseNvidiaSmiQuery, parseLostGpuLine, type NvidiaSmiParse } from './parse-nvidia-smi.js';
export { parseNvidiaSmiList, type ListedGpu } from './parse-nvidia-smi-list.js';
export { ROCM_SMI_ARGS, parseRocmSmiJson, type RocmSmiParse } from './parse-rocm-smi.js';
export {
  extractXidEvents,
  parseKernelLogLine,
  parseXidMessage,
  type KernelLogLine,
} from './parse-kernel-log.js';
export {
  XID_CATALOG,
  xidCatalogEntry,
  type XidAction,
  type XidCatalogEntry,
} from './xid-catalog.js';
export {
  SLOWDOWN_REASON_BITS,
  factFindings,
  xidFinding,
  type Finding,
  type HealthThresholds,
} from './health-rules.js';
export { evaluateHealth } from './health-policy.js';
export {
  initialHealthState,
  type GpuTrack,
  type HealthPolicyConfig,
  type HealthState,
  type HealthTransition,
  type ProbeOutcome,
} from './health-state.js';
export { GpuMetrics } from './gpu-metrics.js';
export { GpuMonitor, type GpuChangeListener, type GpuMonitorOptions } from './gpu-monitor.js';
