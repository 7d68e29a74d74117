/**
 * `bench kv --sections`: which sections run, and the result file that keeps the section not run
 * as the previous kv.json had it (with the command that produced it), so running one section
 * never nulls the other.
 */
import { readFile } from 'node:fs/promises';

/** The sections of bench/results/kv.json. */
export const KV_BENCH_SECTIONS = ['loopback', 'trace'] as const;
/** One of KV_BENCH_SECTIONS. */
export type KvBenchSection = (typeof KV_BENCH_SECTIONS)[number];

/** Parses `--sections` (comma list; empty = both); throws on an unknown name. */
export function parseSections(list: string): Set<KvBenchSection> {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) return new Set(KV_BENCH_SECTIONS);
  const out = new Set<KvBenchSection>();
  for (const n of names) {
    if (!(KV_BENCH_SECTIONS as readonly string[]).includes(n))
      throw new Error(`unknown section "${n}"; valid: ${KV_BENCH_SECTIONS.join(', ')}`);
    out.add(n as KvBenchSection);
  }
  return out;
}

/** The `result` of a kv.json, loosely: what a previous run wrote. */
export type KvResultRecord = Record<string, unknown> & {
  commands?: Partial<Record<KvBenchSection, string>>;
};

/** The previous file's result with each section's command; empty when absent or unreadable. */
export async function readPreviousKvResult(path: string): Promise<KvResultRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const record = JSON.parse(text) as { command?: unknown; result?: unknown };
    const result = record.result;
    if (result === null || typeof result !== 'object' || Array.isArray(result)) return {};
    const r = result as KvResultRecord;
    // Files from before --sections carry one command: the loopback section's.
    const commands =
      r.commands ?? (typeof record.command === 'string' ? { loopback: record.command } : {});
    return { ...r, commands };
  } catch {
    return {};
  }
}

/**
 * The new result: the previous one with the sections (and result-level fields) this run made
 * put over it, and the command of each section run set to `command`.
 */
export function mergeKvResult(
  previous: KvResultRecord,
  made: Partial<Record<KvBenchSection, unknown>> & Record<string, unknown>,
  ran: ReadonlySet<KvBenchSection>,
  command: string,
): KvResultRecord {
  const commands = { ...previous.commands };
  for (const s of ran) commands[s] = command;
  const out: KvResultRecord = { loopback: null, trace: null, ...previous, ...made, commands };
  return out;
}
