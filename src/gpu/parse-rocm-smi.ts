/**
 * Pure parser for `rocm-smi … --json` output (see {@link ROCM_SMI_ARGS}). rocm-smi prints one JSON
 * object keyed `card0`, `card1`, … plus `system`; key names drift between ROCm releases
 * (`Card series` vs `Card Series` vs `Device Name`, `GPU memory use (%)` vs `GPU Memory
 * Read/Write Activity (%)`), so each fact is looked up under every known spelling.
 */
import { normalizeBusId } from './bus-id.js';
import { parseInteger, parseNumber, parseText } from './tool-values.js';
import type { GpuFacts } from './gpu-facts.js';

/**
 * The rocm-smi flags, derived from the keys the fixtures show: product name and unique id
 * (`--showproductname --showuniqueid`), `PCI Bus` (`--showbus`), temperatures (`-t`), `GPU use`
 * (`-u`), memory activity (`--showmemuse`), VRAM bytes (`--showmeminfo vram`), package power
 * (`-P`) and its cap (`-M`), `pcie clock level` (`-c`), `PCIe Replay Count` (`--showreplaycount`)
 * and ECC counts (`--showrasinfo all`).
 */
export const ROCM_SMI_ARGS: readonly string[] = [
  '--showproductname',
  '--showuniqueid',
  '--showbus',
  '--showtemp',
  '--showuse',
  '--showmemuse',
  '--showmeminfo',
  'vram',
  '--showpower',
  '--showmaxpower',
  '--showclocks',
  '--showreplaycount',
  '--showrasinfo',
  'all',
  '--json',
];

/** The outcome of parsing: GPUs, or why the text is not rocm-smi JSON. */
export type RocmSmiParse =
  | { readonly kind: 'ok'; readonly gpus: GpuFacts[] }
  | { readonly kind: 'invalid'; readonly message: string };

type Card = Readonly<Record<string, unknown>>;

function pick(card: Card, keys: readonly string[]): string {
  for (const key of keys) {
    const v = card[key];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return '';
}

/** `3 (2.5GT/s x8)` or `16.0GT/s x16 *` → PCIe generation and lane count. */
function parsePcieLevel(text: string): { gen: number | null; width: number | null } {
  const m = /([\d.]+)\s*GT\/s\s*x(\d+)/i.exec(text);
  if (m === null) return { gen: null, width: null };
  const gtPerS = Number(m[1]);
  const gens: readonly (readonly [number, number])[] = [
    [2.5, 1],
    [5, 2],
    [8, 3],
    [16, 4],
    [32, 5],
    [64, 6],
  ];
  return { gen: gens.find(([rate]) => rate === gtPerS)?.[1] ?? null, width: Number(m[2]) };
}

/**
 * Sums RAS error counts from `--showrasinfo` keys. No licence-clean JSON capture of that flag
 * exists (see test/fixtures/gpu/README.md), so any key naming correctable / uncorrectable errors
 * with an integer value counts; `null` when there is none.
 */
function rasCounts(card: Card): { corrected: number | null; uncorrected: number | null } {
  let corrected: number | null = null;
  let uncorrected: number | null = null;
  for (const [key, value] of Object.entries(card)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const n = parseInteger(String(value));
    if (n === null) continue;
    if (/uncorrectable|\bue\b/i.test(key)) uncorrected = (uncorrected ?? 0) + n;
    else if (/correctable|\bce\b/i.test(key)) corrected = (corrected ?? 0) + n;
  }
  return { corrected, uncorrected };
}

function factsFromCard(index: number, card: Card): GpuFacts {
  const pcie = parsePcieLevel(pick(card, ['pcie clock level']));
  const ras = rasCounts(card);
  const bus = pick(card, ['PCI Bus']);
  const temperatureC = parseNumber(
    pick(card, ['Temperature (Sensor junction) (C)', 'Temperature (Sensor edge) (C)']),
  );
  return {
    index,
    uuid: parseText(pick(card, ['Unique ID', 'GUID'])) ?? '',
    name: parseText(pick(card, ['Card Series', 'Card series', 'Device Name', 'Card SKU'])) ?? '',
    busId: normalizeBusId(bus) ?? bus.toLowerCase(),
    memoryTotalBytes: parseNumber(pick(card, ['VRAM Total Memory (B)'])),
    memoryUsedBytes: parseNumber(pick(card, ['VRAM Total Used Memory (B)'])),
    utilizationGpuPct: parseNumber(pick(card, ['GPU use (%)'])),
    utilizationMemoryPct: parseNumber(
      pick(card, ['GPU Memory Read/Write Activity (%)', 'GPU memory use (%)']),
    ),
    temperatureC,
    temperatureTlimitC: null,
    powerDrawWatts: parseNumber(
      pick(card, [
        'Average Graphics Package Power (W)',
        'Current Socket Graphics Package Power (W)',
      ]),
    ),
    powerLimitWatts: parseNumber(pick(card, ['Max Graphics Package Power (W)'])),
    clocksEventReasonsActive: null,
    eccCorrectedVolatile: ras.corrected,
    eccUncorrectedVolatile: ras.uncorrected,
    retiredPagesSbe: null,
    retiredPagesDbe: null,
    retiredPagesPending: null,
    remappedRowsCorrectable: null,
    remappedRowsUncorrectable: null,
    remappedRowsPending: null,
    remappedRowsFailure: null,
    pcieLinkGenCurrent: pcie.gen,
    pcieLinkGenMax: null,
    pcieLinkWidthCurrent: pcie.width,
    pcieLinkWidthMax: null,
    pcieReplayCount: parseInteger(pick(card, ['PCIe Replay Count'])),
    recoveryAction: null,
    migEnabled: false,
    migDevices: [],
  };
}

/**
 * Parses rocm-smi JSON. Text before the first `{` (rocm-smi prints warnings there on some
 * releases) is skipped. Cards come back in index order. Never throws.
 */
export function parseRocmSmiJson(text: string): RocmSmiParse {
  const start = text.indexOf('{');
  if (start < 0) return { kind: 'invalid', message: 'no JSON object in rocm-smi output' };
  let root: unknown;
  try {
    root = JSON.parse(text.slice(start));
  } catch (err) {
    return { kind: 'invalid', message: `rocm-smi JSON: ${(err as Error).message}` };
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root))
    return { kind: 'invalid', message: 'rocm-smi JSON is not an object' };
  const gpus: GpuFacts[] = [];
  for (const [key, value] of Object.entries(root as Record<string, unknown>)) {
    const m = /^card(\d+)$/.exec(key);
    if (m === null || value === null || typeof value !== 'object') continue;
    gpus.push(factsFromCard(Number(m[1]), value as Card));
  }
  gpus.sort((a, b) => a.index - b.index);
  return { kind: 'ok', gpus };
}
