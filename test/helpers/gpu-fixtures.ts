/** Test helpers for the GPU fixtures (test/fixtures/gpu, copied from /work/shared/fixtures/gpu). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture file. */
export const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/gpu/${name}`, import.meta.url));

/** A fixture's text. */
export const fixture = (name: string): string => readFileSync(fixturePath(name), 'utf8');

/**
 * Turns a captured `--format=csv` output (header + rows, units in values) into what
 * `--format=csv,noheader,nounits` prints for `fields`: the header dropped, the columns picked in
 * `fields` order and the ` MiB`/` W`/` %`/` MHz` suffixes stripped. SOURCES.md explains why no real
 * `nounits` capture exists; this derives one from real data instead of inventing values.
 */
export function deriveNoHeaderNoUnits(capture: string, fields: readonly string[]): string {
  const [header = '', ...rows] = capture.split(/\r?\n/).filter((l) => l.trim() !== '');
  const names = header.split(',').map((c) => c.trim().replace(/\s*\[[^\]]*\]$/, ''));
  const aliases: Record<string, string> = {
    'clocks_throttle_reasons.active': 'clocks_event_reasons.active',
    'retired_pages.sbe': 'retired_pages.single_bit_ecc.count',
    'retired_pages.dbe': 'retired_pages.double_bit.count',
  };
  return rows
    .map((row) => {
      const cells = row.split(',').map((c) => c.trim());
      return fields
        .map((f) => {
          let i = names.indexOf(f);
          if (i < 0) i = names.indexOf(aliases[f] ?? f);
          if (i < 0) throw new Error(`capture lacks field ${f}`);
          return (cells[i] ?? '').replace(/ (MiB|W|%|MHz|us)$/, '');
        })
        .join(', ');
    })
    .join('\n');
}
