/**
 * PCI bus ids in one form. nvidia-smi writes `00000000:3B:00.0` (8-digit domain, upper case), the
 * kernel's Xid lines `0000:3b:00` (no function), rocm-smi `0000:83:00.0`. All become
 * `dddd:bb:dd.f` in lower case, with function 0 when absent.
 */

const BUS_ID = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})(?:\.([0-7]))?$/i;

/**
 * Normalizes a PCI address to `dddd:bb:dd.f` (lower case). A missing domain is `0000`, a missing
 * function `0`. Returns `null` when the text is not a PCI address.
 */
export function normalizeBusId(text: string): string | null {
  const m = BUS_ID.exec(text.trim());
  if (m === null) return null;
  const domain = parseInt(m[1] ?? '0', 16)
    .toString(16)
    .padStart(4, '0');
  const bus = (m[2] ?? '').toLowerCase().padStart(2, '0');
  const device = (m[3] ?? '').toLowerCase().padStart(2, '0');
  return `${domain}:${bus}:${device}.${m[4] ?? '0'}`;
}
