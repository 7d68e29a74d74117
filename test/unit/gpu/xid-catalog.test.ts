import { describe, expect, it } from 'vitest';
import { XID_CATALOG, xidCatalogEntry, xidFinding } from '../../../src/gpu/index.js';
import type { XidEvent } from '../../../src/gpu/index.js';

const event = (xid: number, detail = ''): XidEvent => ({
  xid,
  busId: '0000:3b:00.0',
  detail,
  logTime: '',
});

describe('XID_CATALOG (derived from XID.md)', () => {
  it('fails the GPU for every "drain and reset / reboot / workflow" Xid XID.md lists', () => {
    // XID.md "The drain / reset Xids from the brief, checked against the catalog"
    const drain = [46, 62, 64, 95, 109, 110, 119, 120, 136, 140, 143, 155, 156, 158, 79, 48, 74];
    for (const xid of drain) expect(xidFinding(event(xid))?.severity, `xid ${xid}`).toBe('failed');
  });

  it('records only (no health change) the IGNORE and app-level Xids', () => {
    for (const xid of [63, 92, 94, 8, 11, 13, 25, 31, 32, 43, 44, 45, 68, 69])
      expect(xidFinding(event(xid)), `xid ${xid}`).toBeNull();
  });

  it('names NVIDIA buckets and mnemonics', () => {
    expect(xidCatalogEntry(79)).toEqual({
      xid: 79,
      mnemonic: 'GPU_HAS_FALLEN_OFF_THE_BUS',
      bucket: 'RESTART_BM',
      action: 'reboot-node',
    });
    expect(xidCatalogEntry(48)?.bucket).toBe('WORKFLOW_XID_48');
    expect(xidCatalogEntry(130)?.mnemonic).toBe('CE_ERROR');
    expect(XID_CATALOG.has(1)).toBe(false); // "Unused" in the catalog
  });

  it('degrades on Xid 54 (check mechanicals) and on codes outside the catalog', () => {
    expect(xidFinding(event(54))?.severity).toBe('degraded');
    expect(xidFinding(event(1))).toMatchObject({
      severity: 'degraded',
      reason: expect.stringContaining('not in NVIDIA'),
    });
  });

  it('decides NVLink5 149 per line: Fatal fails, Nonfatal records', () => {
    expect(
      xidFinding(event(149, 'NETIR_LINK_EVT  Fatal   XC0 i0 Link 01 (0x021425c6)'))?.severity,
    ).toBe('failed');
    expect(xidFinding(event(145, 'RLW_REMAP Nonfatal XC0 i0 Link 01'))).toBeNull();
    expect(xidFinding(event(150, 'MSE watchdog'))?.severity).toBe('failed');
  });

  it('follows Xid 154 recovery actions', () => {
    expect(
      xidFinding(
        event(154, 'GPU recovery action changed from 0x0 (None) to 0x4 (Drain and Reset)'),
      ),
    ).toMatchObject({ severity: 'failed', reason: expect.stringContaining('Drain and Reset') });
    expect(
      xidFinding(
        event(
          154,
          'GPU recovery action changed from 0x4 (Drain and Reset) to 0x1 (GPU Reset Required)',
        ),
      )?.severity,
    ).toBe('failed');
    expect(
      xidFinding(
        event(154, 'GPU recovery action changed from 0x1 (GPU Reset Required) to 0x0 (None)'),
      ),
    ).toBeNull();
  });
});
