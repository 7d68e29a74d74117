import { describe, expect, it } from 'vitest';
import { extractXidEvents, parseKernelLogLine, parseXidMessage } from '../../../src/gpu/index.js';
import { fixture } from '../../helpers/gpu-fixtures.js';

const lines = (name: string): string[] => fixture(name).split('\n');
const codes = (name: string): number[] => extractXidEvents(lines(name)).map((e) => e.xid);

describe('parseKernelLogLine', () => {
  it.each([
    ['6,1234,5678901,-;NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, gone', '5678901', 1234],
    ['[6781741.548779] NVRM: hello', '6781741.548779', null],
    ['[Fri Aug 30 11:43:09 2024] NVRM: hello', 'Fri Aug 30 11:43:09 2024', null],
    ['2024-11-15T05:39:15,491363+00:00 NVRM: hello', '2024-11-15T05:39:15,491363+00:00', null],
    [
      'kern  :warn  : 2025-01-21T02:21:33,498559+00:00 NVRM: hello',
      '2025-01-21T02:21:33,498559+00:00',
      null,
    ],
    ['Nov 23 07:00:00 node1 kernel: [12.5] NVRM: hello', '12.5', null],
  ])('splits %s', (line, logTime, seq) => {
    const parsed = parseKernelLogLine(line);
    expect(parsed).toMatchObject({ logTime, seq });
    expect(parsed?.message.startsWith('NVRM: ')).toBe(true);
  });

  it('skips /dev/kmsg continuation lines', () => {
    expect(parseKernelLogLine(' SUBSYSTEM=pci')).toBeNull();
  });
});

describe('parseXidMessage', () => {
  it('reads the kmsg form from the brief and maps the kernel bus id', () => {
    const line =
      '6,1234,5678901,-;NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off the bus.';
    expect(extractXidEvents([line])).toEqual([
      {
        xid: 79,
        busId: '0000:3b:00.0',
        detail: 'pid=1234, name=python, GPU has fallen off the bus.',
        logTime: '5678901',
      },
    ]);
  });

  it('reads the MIG GPU-instance form and a non-zero PCI domain', () => {
    expect(
      parseXidMessage(
        'NVRM: Xid (PCI:0000:01:00 GPU-I:05): 94, pid=7, Contained: CE. RST: No, D-RST: No',
      ),
    ).toMatchObject({ xid: 94, busId: '0000:01:00.0' });
    expect(parseXidMessage('NVRM: Xid (PCI:0018:01:00): 154, x')).toMatchObject({
      busId: '0018:01:00.0',
    });
  });

  it('treats a token-less "fallen off the bus" line as Xid 79', () => {
    expect(
      parseXidMessage(
        'NVRM: The NVIDIA GPU 0000:18:00.0 (PCI ID: 10de:2330) has fallen off the bus and is not responding to commands.',
      ),
    ).toMatchObject({ xid: 79, busId: '0000:18:00.0' });
  });

  it('ignores SXid (NVSwitch) lines and other NVRM lines', () => {
    expect(
      parseXidMessage(
        'nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM Fault Up',
      ),
    ).toBeNull();
    expect(
      parseXidMessage('NVRM: GPU at PCI:0000:91:00: GPU-b6c3b2be-c55b-d076-fa0e-d464e4c7e08b'),
    ).toBeNull();
  });
});

describe('extractXidEvents on real kernel logs', () => {
  it('Xid 79 fallen off the bus: one event, the token-less echo deduplicated, SXids ignored', () => {
    const events = extractXidEvents(lines('kmsg-xid79-sxid20034-fallen-off-bus-dmesg.log'));
    expect(events).toEqual([
      expect.objectContaining({ xid: 79, busId: '0000:91:00.0', logTime: '6781741.548779' }),
    ]);
  });

  it('Xid 48 → 63 → 94 sequence (ISO timestamps)', () => {
    const got = codes('kmsg-xid48-63-94-h100-dmesg-iso.log');
    expect(got.slice(0, 3)).toEqual([48, 63, 94]);
    expect(new Set(got)).toEqual(new Set([48, 63, 94]));
    expect(extractXidEvents(lines('kmsg-xid48-63-94-h100-dmesg-iso.log'))[0]?.busId).toBe(
      '0000:19:00.0',
    );
  });

  it('Xid 13, 109, 31 (ctime timestamps)', () => {
    expect(codes('kmsg-xid13-31-109-dmesg-ctime.log')).toEqual([13, 13, 13, 109, 31, 109]);
  });

  it('Xid 119 GSP timeouts on GPU 0000:9b:00', () => {
    const events = extractXidEvents(lines('kmsg-xid119-gsp-timeout-h100-dmesg-ctime.log'));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.xid === 119 && e.busId === '0000:9b:00.0')).toBe(true);
  });

  it('Xid 13 storm then 43 (dmesg --decode ISO)', () => {
    const got = codes('kmsg-xid13-43-storm-dmesg-decode-iso.log');
    expect(got.length).toBeGreaterThan(100);
    expect(new Set(got)).toEqual(new Set([13, 43]));
  });

  it('NVLink5 Xid 149 and recovery-action Xid 154 on GB200 domains', () => {
    const events = extractXidEvents(lines('kmsg-xid149-154-gb200-nvlink5-dmesg.log'));
    expect(events.map((e) => e.xid)).toEqual([149, 154, 149, 154, 149, 149, 149, 154, 154]);
    expect(new Set(events.map((e) => e.busId))).toEqual(
      new Set(['0009:01:00.0', '0008:01:00.0', '0019:01:00.0', '0018:01:00.0']),
    );
  });
});
