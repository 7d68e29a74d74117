/**
 * Pure parser for `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits` output (and the
 * same with units or a header line, which older scripts and captures use). Lines the tool prints
 * for a GPU it cannot reach (`Unable to determine the device handle for GPU…`) become
 * {@link LostGpu}s, never silently dropped rows.
 */
import { normalizeBusId } from './bus-id.js';
import { NVIDIA_QUERY_FIELDS } from './nvidia-fields.js';
import { parseBytes, parseFlag, parseInteger, parseNumber, parseText } from './tool-values.js';
import type { GpuFacts, LostGpu } from './gpu-facts.js';

/** What one nvidia-smi run said: readable GPUs, unreachable GPUs, and lines we did not understand. */
export interface NvidiaSmiParse {
  readonly gpus: GpuFacts[];
  readonly lost: LostGpu[];
  /** Lines that were neither a row nor a known message (kept for the error report). */
  readonly unparsed: string[];
}

/**
 * Matches every known variant: `GPU0000:91:00.0: Unknown Error`, `GPU 0000:3B:00.0: …` and the
 * 610-series `GPU1: 0000:34:00.0: …`.
 */
const UNABLE_HANDLE =
  /Unable to determine the device handle for GPU\s*(?:(\d+):\s+)?([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}(?:\.[0-7])?)\s*:?\s*(.*)$/;

/** Parses one `Unable to determine the device handle…` line, or returns null. */
export function parseLostGpuLine(line: string): LostGpu | null {
  const m = UNABLE_HANDLE.exec(line);
  if (m === null) return null;
  const busId = normalizeBusId(m[2] ?? '');
  if (busId === null) return null;
  return { busId, index: m[1] === undefined ? null : Number(m[1]), message: line.trim() };
}

function factsFromRow(values: ReadonlyMap<string, string>): GpuFacts | null {
  const v = (field: string): string => values.get(field) ?? '';
  const index = parseInteger(v('index'));
  if (index === null) return null;
  return {
    index,
    uuid: parseText(v('uuid')) ?? '',
    name: parseText(v('name')) ?? '',
    busId: normalizeBusId(v('pci.bus_id')) ?? v('pci.bus_id').trim().toLowerCase(),
    memoryTotalBytes: parseBytes(v('memory.total')),
    memoryUsedBytes: parseBytes(v('memory.used')),
    utilizationGpuPct: parseNumber(v('utilization.gpu')),
    utilizationMemoryPct: parseNumber(v('utilization.memory')),
    temperatureC: parseNumber(v('temperature.gpu')),
    temperatureTlimitC: parseNumber(v('temperature.gpu.tlimit')),
    powerDrawWatts: parseNumber(v('power.draw')),
    powerLimitWatts: parseNumber(v('power.limit')),
    clocksEventReasonsActive: parseNumber(
      values.has('clocks_event_reasons.active')
        ? v('clocks_event_reasons.active')
        : v('clocks_throttle_reasons.active'),
    ),
    eccCorrectedVolatile: parseInteger(v('ecc.errors.corrected.volatile.total')),
    eccUncorrectedVolatile: parseInteger(v('ecc.errors.uncorrected.volatile.total')),
    retiredPagesSbe: parseInteger(v('retired_pages.sbe')),
    retiredPagesDbe: parseInteger(v('retired_pages.dbe')),
    retiredPagesPending: parseFlag(v('retired_pages.pending')),
    remappedRowsCorrectable: parseInteger(v('remapped_rows.correctable')),
    remappedRowsUncorrectable: parseInteger(v('remapped_rows.uncorrectable')),
    remappedRowsPending: parseFlag(v('remapped_rows.pending')),
    remappedRowsFailure: parseFlag(v('remapped_rows.failure')),
    pcieLinkGenCurrent: parseInteger(v('pcie.link.gen.current')),
    pcieLinkGenMax: parseInteger(v('pcie.link.gen.max')),
    pcieLinkWidthCurrent: parseInteger(v('pcie.link.width.current')),
    pcieLinkWidthMax: parseInteger(v('pcie.link.width.max')),
    pcieReplayCount: null,
    recoveryAction: parseText(v('gpu_recovery_action')),
    migEnabled: parseFlag(v('mig.mode.current')) ?? false,
    migDevices: [],
  };
}

/** Strips a header cell's ` [unit]` suffix: `memory.total [MiB]` → `memory.total`. */
const headerName = (cell: string): string => cell.replace(/\s*\[[^\]]*\]$/, '').trim();

/**
 * Parses query output. `fields` is the field list the command asked for, in order (default
 * {@link NVIDIA_QUERY_FIELDS}); a header line, if present, overrides it. Tolerates CRLF, blank
 * lines, unit suffixes and every "no value" spelling. Never throws.
 */
export function parseNvidiaSmiQuery(
  text: string,
  fields: readonly string[] = NVIDIA_QUERY_FIELDS,
): NvidiaSmiParse {
  const out: NvidiaSmiParse = { gpus: [], lost: [], unparsed: [] };
  let columns = fields;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const lost = parseLostGpuLine(line);
    if (lost !== null) {
      out.lost.push(lost);
      continue;
    }
    const cells = line.split(',').map((c) => c.trim());
    if (cells[0] === 'index' || cells.includes('pci.bus_id') || cells.includes('uuid')) {
      columns = cells.map(headerName);
      continue;
    }
    if (cells.length !== columns.length) {
      out.unparsed.push(line);
      continue;
    }
    const values = new Map(columns.map((name, i) => [name, cells[i] ?? '']));
    const facts = factsFromRow(values);
    if (facts === null) out.unparsed.push(line);
    else out.gpus.push(facts);
  }
  return out;
}
