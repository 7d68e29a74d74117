/**
 * Value parsing shared by the tool parsers: the many ways a tool says "no value", numbers with or
 * without units, hex bitmasks and Yes/No flags. Pure.
 */

/**
 * Texts that mean "no value": nvidia-smi's `[N/A]`, `[Not Supported]`, `[Unknown Error]`,
 * `[Requested functionality has been deprecated]`, bare `N/A` (fabric fields), `ERR!` (table
 * mode), and the empty string.
 */
export function isMissingValue(text: string): boolean {
  const t = text.trim();
  return t === '' || t === 'N/A' || t === 'ERR!' || (t.startsWith('[') && t.endsWith(']'));
}

const NUMBER_WITH_UNIT = /^([-+]?\d+(?:\.\d+)?)\s*([A-Za-z%/]*)$/;
const UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
};

/**
 * A number, tolerating a unit suffix (`69.85 W`, `81559 MiB`, `0 %`) so output with or without
 * `nounits` parses the same. Hex (`0x…`) is read as an integer. `null` when missing or not a number.
 */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (isMissingValue(t)) return null;
  if (/^0x[0-9a-f]+$/i.test(t)) return Number(BigInt(t));
  const m = NUMBER_WITH_UNIT.exec(t);
  return m === null ? null : Number(m[1]);
}

/**
 * A byte count from a number in `defaultUnit` (MiB for nvidia-smi `nounits`), honouring an
 * explicit unit suffix when present. `null` when missing.
 */
export function parseBytes(
  text: string,
  defaultUnit: keyof typeof UNIT_BYTES = 'MiB',
): number | null {
  const t = text.trim();
  if (isMissingValue(t)) return null;
  const m = NUMBER_WITH_UNIT.exec(t);
  if (m === null) return null;
  const unit = m[2] === '' || m[2] === undefined ? defaultUnit : m[2];
  const factor = UNIT_BYTES[unit];
  return factor === undefined ? null : Math.round(Number(m[1]) * factor);
}

/** An integer (index, counts); `null` when missing or fractional garbage. */
export function parseInteger(text: string): number | null {
  const n = parseNumber(text);
  return n !== null && Number.isInteger(n) ? n : null;
}

/** `Yes`/`Enabled`/`True` → true, `No`/`Disabled`/`False` → false, else `null`. */
export function parseFlag(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (t === 'yes' || t === 'enabled' || t === 'true') return true;
  if (t === 'no' || t === 'disabled' || t === 'false') return false;
  return null;
}

/** A string value, or `null` when missing. */
export function parseText(text: string): string | null {
  const t = text.trim();
  return isMissingValue(t) ? null : t;
}
