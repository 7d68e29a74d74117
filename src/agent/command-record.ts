/**
 * The agent's bounded record of commands by id: queued, running, or finished with the result
 * it sent (or failed to send). It is what makes commands idempotent (a repeated id runs once)
 * and what the agent replays after a reconnect. Pure: time comes in as arguments.
 * Bounded by `maxEntries`: finished entries go first, those already delivered before those not,
 * oldest first; finished entries older than `ttlMs` are dropped on every insert.
 */
import type { JsonObject } from '../protocol/index.js';
import type { CommandOutcome } from './command-handler.js';

/** One command the agent knows about. */
export interface CommandEntry {
  readonly id: string;
  readonly kind: string;
  state: 'queued' | 'running' | 'finished';
  /** The latest progress reported while running (replayed after a reconnect). */
  progress: JsonObject | undefined;
  outcome: CommandOutcome | undefined;
  /** True once the result went out on an open socket (set again by a replay that worked). */
  delivered: boolean;
  finishedAtMs: number | undefined;
}

/** Bounds of the record. */
export interface CommandRecordLimits {
  /** Default 1024. */
  readonly maxEntries: number;
  /** Default 1 hour. */
  readonly ttlMs: number;
}

export const DEFAULT_RECORD_LIMITS: CommandRecordLimits = { maxEntries: 1024, ttlMs: 3_600_000 };

export class CommandRecord {
  readonly #limits: CommandRecordLimits;
  readonly #entries = new Map<string, CommandEntry>();

  constructor(limits: Partial<CommandRecordLimits> = {}) {
    this.#limits = { ...DEFAULT_RECORD_LIMITS, ...limits };
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): CommandEntry | undefined {
    return this.#entries.get(id);
  }

  /**
   * Adds a queued entry for a new id, making room first; undefined when every entry is still
   * queued or running (the caller refuses the command: COMMAND_QUEUE_FULL).
   */
  add(id: string, kind: string, nowMs: number): CommandEntry | undefined {
    this.#expire(nowMs);
    if (this.#entries.size >= this.#limits.maxEntries && !this.#evictOne()) return undefined;
    const entry: CommandEntry = {
      id,
      kind,
      state: 'queued',
      progress: undefined,
      outcome: undefined,
      delivered: false,
      finishedAtMs: undefined,
    };
    this.#entries.set(id, entry);
    return entry;
  }

  /** Marks an entry finished with its outcome (not yet delivered). */
  finish(entry: CommandEntry, outcome: CommandOutcome, nowMs: number): void {
    entry.state = 'finished';
    entry.outcome = outcome;
    entry.finishedAtMs = nowMs;
    entry.progress = undefined;
  }

  /** What to send again after a reconnect: undelivered results, and progress of running ones. */
  toReplay(): { readonly results: CommandEntry[]; readonly progress: CommandEntry[] } {
    const results: CommandEntry[] = [];
    const progress: CommandEntry[] = [];
    for (const e of this.#entries.values()) {
      if (e.state === 'finished' && !e.delivered) results.push(e);
      else if (e.state === 'running' && e.progress !== undefined) progress.push(e);
    }
    return { results, progress };
  }

  #expire(nowMs: number): void {
    for (const [id, e] of this.#entries)
      if (e.finishedAtMs !== undefined && nowMs - e.finishedAtMs > this.#limits.ttlMs)
        this.#entries.delete(id);
  }

  /** Evicts the oldest delivered finished entry, else the oldest finished one. */
  #evictOne(): boolean {
    let fallback: string | undefined;
    for (const [id, e] of this.#entries) {
      if (e.state !== 'finished') continue;
      if (e.delivered) {
        this.#entries.delete(id);
        return true;
      }
      fallback ??= id;
    }
    if (fallback === undefined) return false;
    this.#entries.delete(fallback);
    return true;
  }
}
