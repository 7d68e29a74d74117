import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  corruptSafetensorsHeader,
  safetensorsBytes,
  writeSafetensorsFile,
} from '../../helpers/safetensors-file.js';

/** The header of a safetensors buffer, read the way a loader does. */
function readHeader(bytes: Buffer): {
  length: number;
  json: Record<string, { data_offsets?: number[] }>;
} {
  const length = Number(bytes.readBigUInt64LE(0));
  return {
    length,
    json: JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as Record<
      string,
      { data_offsets?: number[] }
    >,
  };
}

describe('the synthetic safetensors writer (test fixture)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'infernode-safetensors-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([1024, 1001, 5_000_001])(
    'writes exactly %i bytes whose tensors tile the data',
    async (totalBytes) => {
      const path = join(dir, 'model.safetensors');
      const written = await writeSafetensorsFile(path, { totalBytes, tensorCount: 3, seed: 2 });
      const bytes = await readFile(path);
      expect(bytes.length).toBe(totalBytes);
      expect(written.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(bytes.equals(safetensorsBytes({ totalBytes, tensorCount: 3, seed: 2 }))).toBe(true);
      const { length, json } = readHeader(bytes);
      expect((8 + length) % 8).toBe(0);
      expect(written.dataStart).toBe(8 + length);
      const offsets = Object.entries(json)
        .filter(([name]) => name !== '__metadata__')
        .map(([, t]) => t.data_offsets as number[])
        .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
      expect(offsets[0]?.[0]).toBe(0);
      for (let i = 1; i < offsets.length; i++) expect(offsets[i]?.[0]).toBe(offsets[i - 1]?.[1]);
      expect(offsets.at(-1)?.[1]).toBe(totalBytes - 8 - length);
    },
  );

  it('breaks a header in each chosen way, keeping the size', async () => {
    const path = join(dir, 'model.safetensors');
    for (const how of ['length-past-end', 'bad-json', 'offsets-past-end'] as const) {
      await writeSafetensorsFile(path, { totalBytes: 4096 });
      await corruptSafetensorsHeader(path, how);
      const bytes = await readFile(path);
      expect(bytes.length).toBe(4096);
      if (how === 'length-past-end') expect(Number(bytes.readBigUInt64LE(0))).toBeGreaterThan(4096);
      else if (how === 'bad-json') expect(() => readHeader(bytes)).toThrow(SyntaxError);
      else {
        const ends = Object.values(readHeader(bytes).json).map((t) => t.data_offsets?.[1] ?? 0);
        expect(Math.max(...ends)).toBeGreaterThan(4096);
      }
    }
  });
});
