import { describe, expect, it } from 'vitest';
import {
  NVIDIA_QUERY_FIELDS,
  normalizeBusId,
  nvidiaQueryArgs,
  parseLostGpuLine,
  parseNvidiaSmiQuery,
} from '../../../src/gpu/index.js';
import { deriveNoHeaderNoUnits, fixture } from '../../helpers/gpu-fixtures.js';

const H100_IDLE = 'nvidia-smi-query-gpu-h100-csv-idle-590.48.01.txt';
const MiB = 1024 * 1024;

describe('NVIDIA_QUERY_FIELDS', () => {
  it('is the exact command line the probe runs', () => {
    expect(nvidiaQueryArgs()).toEqual([
      `--query-gpu=${NVIDIA_QUERY_FIELDS.join(',')}`,
      '--format=csv,noheader,nounits',
    ]);
    expect(NVIDIA_QUERY_FIELDS).toContain('clocks_throttle_reasons.active');
    expect(NVIDIA_QUERY_FIELDS).toContain('remapped_rows.pending');
  });

  it('names only fields that driver 590 documents in --help-query-gpu', () => {
    const help = fixture('nvidia-smi-help-query-gpu-590.48.01.txt');
    const documented = new Set([...help.matchAll(/"([^"]+)"/g)].map((m) => m[1]));
    for (const field of NVIDIA_QUERY_FIELDS) expect(documented, field).toContain(field);
  });
});

describe('normalizeBusId', () => {
  it.each([
    ['00000000:3B:00.0', '0000:3b:00.0'],
    ['0000:3b:00', '0000:3b:00.0'],
    ['0000:83:00.0', '0000:83:00.0'],
    ['00000009:01:00.0', '0009:01:00.0'],
    ['0018:01:00', '0018:01:00.0'],
    ['not a bus', null],
  ])('%s → %s', (text, want) => expect(normalizeBusId(text)).toBe(want));
});

describe('parseNvidiaSmiQuery on real captures', () => {
  it('reads the H100 idle capture with its header and units', () => {
    const { gpus, lost, unparsed } = parseNvidiaSmiQuery(fixture(H100_IDLE));
    expect(lost).toEqual([]);
    expect(unparsed).toEqual([]);
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({
      index: 0,
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      name: 'NVIDIA H100 80GB HBM3',
      busId: '0000:00:09.0',
      memoryTotalBytes: 81559 * MiB,
      memoryUsedBytes: 0,
      utilizationGpuPct: 0,
      temperatureC: 41,
      temperatureTlimitC: 46,
      powerDrawWatts: 69.85,
      powerLimitWatts: 700,
      clocksEventReasonsActive: 1,
      eccUncorrectedVolatile: 0,
      retiredPagesPending: null,
      remappedRowsPending: false,
      remappedRowsFailure: false,
      pcieLinkGenCurrent: 5,
      pcieLinkWidthMax: 16,
      recoveryAction: 'None',
      migEnabled: false,
    });
  });

  it('reads noheader,nounits output (derived from the capture) to the same facts', () => {
    const text = deriveNoHeaderNoUnits(fixture(H100_IDLE), NVIDIA_QUERY_FIELDS);
    expect(text).not.toMatch(/MiB| W\b/);
    const fromNoUnits = parseNvidiaSmiQuery(text).gpus;
    expect(fromNoUnits).toEqual(parseNvidiaSmiQuery(fixture(H100_IDLE)).gpus);
  });

  it('reads the load capture (memory hogs running)', () => {
    const [gpu] = parseNvidiaSmiQuery(
      fixture('nvidia-smi-query-gpu-h100-csv-load-590.48.01.txt'),
    ).gpus;
    expect(gpu?.memoryUsedBytes).toBeGreaterThan(0);
    expect(gpu?.utilizationGpuPct).toBeGreaterThan(0);
  });

  it('reads MIG mode: utilization is [N/A] → null, mig flag set', () => {
    const [gpu] = parseNvidiaSmiQuery(
      fixture('nvidia-smi-query-gpu-h100-mig-csv-590.48.01.txt'),
    ).gpus;
    expect(gpu).toMatchObject({
      migEnabled: true,
      utilizationGpuPct: null,
      remappedRowsPending: null,
    });
  });

  it('survives field drift: L40S on 595.80 (202 fields, kmd_version, no HBM)', () => {
    const [gpu] = parseNvidiaSmiQuery(
      fixture('nvidia-smi-query-gpu-l40s-csv-load-595.80.txt'),
    ).gpus;
    expect(gpu).toMatchObject({ name: 'NVIDIA L40S', pcieLinkGenMax: 4, migEnabled: false });
  });

  it('reads legacy field names and a consumer card full of [N/A] (RTX 2080S, 471.11)', () => {
    const [gpu] = parseNvidiaSmiQuery(
      fixture('nvidia-smi-query-gpu-rtx2080s-windows-csv-legacy-fieldnames-471.11.csv'),
    ).gpus;
    expect(gpu).toMatchObject({
      busId: '0000:0c:00.0',
      memoryTotalBytes: 8192 * MiB,
      clocksEventReasonsActive: 1,
      eccUncorrectedVolatile: null,
      recoveryAction: null,
      temperatureTlimitC: null,
    });
  });
});

describe('parseNvidiaSmiQuery quirks', () => {
  const row = deriveNoHeaderNoUnits(fixture(H100_IDLE), NVIDIA_QUERY_FIELDS);

  it('treats empty output as zero GPUs', () => {
    expect(parseNvidiaSmiQuery('')).toEqual({ gpus: [], lost: [], unparsed: [] });
    expect(parseNvidiaSmiQuery('\r\n\n')).toEqual({ gpus: [], lost: [], unparsed: [] });
  });

  it('accepts CRLF line ends', () => {
    const crlf = `${row}\r\n${row.replace(/^0,/, '1,')}\r\n`;
    expect(parseNvidiaSmiQuery(crlf).gpus.map((g) => g.index)).toEqual([0, 1]);
  });

  it('maps [Not Supported], [N/A], [Unknown Error] and the deprecated marker to null', () => {
    const cells = row.split(', ');
    const at = (f: string): number => NVIDIA_QUERY_FIELDS.indexOf(f as never);
    cells[at('power.draw')] = '[Not Supported]';
    cells[at('temperature.gpu')] = '[Unknown Error]';
    cells[at('memory.used')] = '[Requested functionality has been deprecated]';
    cells[at('pcie.link.gen.max')] = 'N/A';
    const [gpu] = parseNvidiaSmiQuery(cells.join(', ')).gpus;
    expect(gpu).toMatchObject({
      powerDrawWatts: null,
      temperatureC: null,
      memoryUsedBytes: null,
      pcieLinkGenMax: null,
    });
  });

  it('turns the captured "Unable to determine the device handle" line into a lost GPU', () => {
    const text = fixture('nvidia-smi-error-unable-to-determine-device-handle.txt');
    expect(parseNvidiaSmiQuery(text)).toEqual({
      gpus: [],
      lost: [{ busId: '0000:91:00.0', index: null, message: text.trim() }],
      unparsed: [],
    });
  });

  it.each([
    ['Unable to determine the device handle for GPU 0000:3B:00.0: Unknown Error', null],
    ['Unable to determine the device handle for GPU1: 0000:3B:00.0: Unknown Error', 1],
  ])('accepts the variant %s', (line, index) => {
    expect(parseLostGpuLine(line)).toMatchObject({ busId: '0000:3b:00.0', index });
  });

  it('keeps the readable GPUs when one is lost (partial failure)', () => {
    const text = `${row}\nUnable to determine the device handle for GPU1: 0000:3B:00.0: Unknown Error\n`;
    const parsed = parseNvidiaSmiQuery(text);
    expect(parsed.gpus).toHaveLength(1);
    expect(parsed.lost).toEqual([expect.objectContaining({ busId: '0000:3b:00.0', index: 1 })]);
  });

  it('reports lines it does not understand instead of guessing', () => {
    const parsed = parseNvidiaSmiQuery(
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    );
    expect(parsed.gpus).toEqual([]);
    expect(parsed.unparsed).toHaveLength(1);
  });
});
