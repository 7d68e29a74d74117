/**
 * The GPU room's I/O adapters: the vendor tools (nvidia-smi, rocm-smi) behind execa, the kernel
 * log, the host facts (os, statfs) and the probe factory. Only composition roots (the agent,
 * the bench) import this entry; the rest of the room is pure.
 */
export { NvidiaSmiGpuProbe, type NvidiaSmiGpuProbeOptions } from './nvidia-smi-probe.js';
export { RocmSmiGpuProbe, type RocmSmiGpuProbeOptions } from './rocm-smi-probe.js';
export { NullGpuProbe } from './null-gpu-probe.js';
export { createGpuProbe, findOnPath, type CreateGpuProbeOptions } from './probe-factory.js';
export { FileKernelLogSource, type FileKernelLogSourceOptions } from './kernel-log-source.js';
export { OsHostProbe, type OsHostProbeOptions } from './os-host-probe.js';
