import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiList, parseRocmSmiJson } from '../../../src/gpu/index.js';
import { fixture } from '../../helpers/gpu-fixtures.js';

describe('parseNvidiaSmiList (nvidia-smi -L)', () => {
  it('reads 8 H100s with 7 MIG 1g.10gb slices each', () => {
    const gpus = parseNvidiaSmiList(fixture('nvidia-smi-L-h100x8-mig-1g10gb.txt'));
    expect(gpus).toHaveLength(8);
    expect(gpus.map((g) => g.migDevices.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    expect(gpus[0]).toMatchObject({
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      uuid: 'GPU-63d1e50a-b952-d15c-0740-12bc14859142',
    });
    expect(gpus[0]?.migDevices[0]).toEqual({
      index: 0,
      profile: '1g.10gb',
      uuid: 'MIG-4d0efb7d-0970-51d9-b761-0686be6b8af3',
    });
  });

  it('reads compute-instance profile names on an H200 (590.48.01)', () => {
    const [gpu] = parseNvidiaSmiList(fixture('nvidia-smi-L-h200-mig-590.48.01.txt'));
    expect(gpu?.migDevices.map((d) => d.profile)).toEqual([
      '1c.3g.71gb',
      '2c.3g.71gb',
      '2g.35gb',
      '1g.18gb',
      '1g.18gb',
    ]);
  });

  it('skips a lost-GPU line and CRLF', () => {
    const text =
      'GPU 0: NVIDIA H100 (UUID: GPU-0000)\r\nUnable to determine the device handle for GPU0000:91:00.0: Unknown Error\r\n';
    expect(parseNvidiaSmiList(text)).toEqual([
      { index: 0, name: 'NVIDIA H100', uuid: 'GPU-0000', migDevices: [] },
    ]);
  });
});

describe('parseRocmSmiJson', () => {
  it('reads 4× MI100 (ROCm 6.0.2): use, VRAM, temperature, power, PCIe, bus', () => {
    const parsed = parseRocmSmiJson(fixture('rocm-smi-json-mi100x4-rocm6.0.2.json'));
    if (parsed.kind !== 'ok') throw new Error(parsed.message);
    expect(parsed.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3]);
    expect(parsed.gpus[0]).toMatchObject({
      uuid: '0x79ccd55167a2124a',
      name: 'Arcturus GL-XL [Instinct MI100]',
      busId: '0000:83:00.0',
      memoryTotalBytes: 34342961152,
      memoryUsedBytes: 6750208,
      utilizationGpuPct: 0,
      temperatureC: 55,
      powerDrawWatts: 36,
      powerLimitWatts: 290,
      pcieLinkGenCurrent: 4,
      pcieLinkWidthCurrent: 16,
      pcieReplayCount: 0,
      eccUncorrectedVolatile: null,
    });
  });

  it('reads ROCm 6 key names (MI250 GCD: Device Name, Read/Write Activity)', () => {
    const parsed = parseRocmSmiJson(fixture('rocm-smi-a-json-mi250-gcd-rocm6-format.json'));
    if (parsed.kind !== 'ok') throw new Error(parsed.message);
    expect(parsed.gpus[0]).toMatchObject({
      name: 'AMD INSTINCT MI250 (MCM) OAM AC MBA',
      busId: '0000:29:00.0',
      pcieLinkGenCurrent: 1,
      pcieLinkWidthCurrent: 8,
      pcieReplayCount: 3824,
      powerDrawWatts: 91,
    });
  });

  it('reads a product-name-only answer (4× MI300A) with nulls for the rest', () => {
    const parsed = parseRocmSmiJson(fixture('rocm-smi-json-productname-driver-id-mi300ax4.json'));
    if (parsed.kind !== 'ok') throw new Error(parsed.message);
    expect(parsed.gpus).toHaveLength(4);
    expect(parsed.gpus[0]).toMatchObject({ temperatureC: null, memoryTotalBytes: null });
    expect(parsed.gpus[0]?.name).not.toBe('');
  });

  it('skips warnings printed before the JSON and sums RAS counts', () => {
    const text = `WARNING: one card does not support power\n${JSON.stringify({
      card0: {
        'UMC correctable count': '2',
        'UMC uncorrectable count': '1',
        'GFX uncorrectable count': '3',
      },
    })}`;
    const parsed = parseRocmSmiJson(text);
    if (parsed.kind !== 'ok') throw new Error(parsed.message);
    expect(parsed.gpus[0]).toMatchObject({ eccCorrectedVolatile: 2, eccUncorrectedVolatile: 4 });
  });

  it.each(['', 'ERROR: GPU[0] : not supported', '{"card0": ', '[1,2]'])(
    'rejects %j as invalid',
    (text) => expect(parseRocmSmiJson(text).kind).toBe('invalid'),
  );
});
