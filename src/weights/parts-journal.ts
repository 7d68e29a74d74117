/**
 * The parts journal: what was done of one file, kept beside its `.partial` so an interrupted
 * pull resumes with only the missing parts. A journal written for another size, ETag or part
 * size describes other bytes and is discarded (the file starts over).
 */
import { PartBitmap } from './part-bitmap.js';
import { partCount } from './part-plan.js';

/** The journal format this code writes and reads. */
export const PARTS_JOURNAL_VERSION = 1;

/** A journal larger than this is not ours (1 TiB of 1 MiB parts is a 128 KiB bitmap). */
export const PARTS_JOURNAL_MAX_CHARS = 1024 * 1024;

/** What a journal is about: it applies only to a file with exactly these. */
export interface JournalSubject {
  readonly path: string;
  readonly size: number;
  readonly etag?: string | undefined;
  readonly partBytes: number;
}

/** The result of reading a journal: resume with the parts done, or start over and why. */
export type JournalDecision =
  | { readonly kind: 'resume'; readonly done: PartBitmap }
  | { readonly kind: 'start-over'; readonly reason: string };

/** The journal's text for `done` parts of `subject`. */
export function encodePartsJournal(subject: JournalSubject, done: PartBitmap): string {
  return JSON.stringify({
    v: PARTS_JOURNAL_VERSION,
    path: subject.path,
    size: subject.size,
    etag: subject.etag ?? null,
    partBytes: subject.partBytes,
    parts: done.count,
    done: Buffer.from(done.toBytes()).toString('base64'),
  });
}

/** Reads a journal and checks it describes `expected`; anything else means start over. */
export function decodePartsJournal(text: string, expected: JournalSubject): JournalDecision {
  const startOver = (reason: string): JournalDecision => ({ kind: 'start-over', reason });
  if (text.length > PARTS_JOURNAL_MAX_CHARS) return startOver('journal too large');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return startOver('journal is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return startOver('journal is not an object');
  const j = raw as Record<string, unknown>;
  if (j.v !== PARTS_JOURNAL_VERSION) return startOver(`journal version ${String(j.v)}`);
  if (j.path !== expected.path) return startOver('journal is for another file');
  if (j.size !== expected.size) return startOver('file size changed');
  if (j.etag !== (expected.etag ?? null)) return startOver('file etag changed');
  if (j.partBytes !== expected.partBytes) return startOver('part size changed');
  const count = partCount(expected.size, expected.partBytes);
  if (j.parts !== count) return startOver('part count differs');
  if (typeof j.done !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(j.done))
    return startOver('journal bitmap is not base64');
  const done = PartBitmap.fromBytes(count, new Uint8Array(Buffer.from(j.done, 'base64')));
  if (done === undefined) return startOver('journal bitmap does not fit the file');
  return { kind: 'resume', done };
}
