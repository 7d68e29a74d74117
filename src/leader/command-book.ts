/**
 * The leader's bookkeeping of commands in flight, pure: a bounded map of pending commands by
 * id, which to send again when a node's agent says hello, and what an incoming result means
 * (settles a pending command, or is late or a duplicate and is ignored, or comes from another
 * node than the command's and is ignored). The CommandClient does the I/O around it.
 */
import type { JsonObject, ResultMessage } from '../protocol/index.js';

/** The outcome a caller of CommandClient.send gets. */
export type CommandResult =
  | { readonly ok: true; readonly value: JsonObject | undefined }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** One command the leader sent (or will send) and awaits a result for. */
export interface PendingCommand {
  readonly id: string;
  readonly node: string;
  readonly kind: string;
  readonly args: JsonObject;
  /** Sent to the agent when the caller set one; else the agent uses the kind's default. */
  readonly timeoutMs: number | undefined;
  /** True once the command went out on an open socket. */
  sent: boolean;
  readonly onProgress: ((progress: JsonObject) => void) | undefined;
  /** Settles the caller's promise and clears the client's timers; called once. */
  readonly settle: (result: CommandResult) => void;
}

/** What an incoming result means for the book. */
export type ResultVerdict =
  | { readonly kind: 'settle'; readonly pending: PendingCommand; readonly result: CommandResult }
  /** No pending command has that id: it settled already (a replay, a resend) or timed out. */
  | { readonly kind: 'unknown' }
  /** A pending command has that id but another node answered: not its result. */
  | { readonly kind: 'wrong-node' };

/** The CommandResult a result message carries. */
export function resultOf(message: ResultMessage): CommandResult {
  return message.ok
    ? { ok: true, value: message.value }
    : { ok: false, code: message.error.code, message: message.error.message };
}

export class CommandBook {
  readonly #maxPending: number;
  readonly #pending = new Map<string, PendingCommand>();

  constructor(maxPending: number) {
    this.#maxPending = maxPending;
  }

  get size(): number {
    return this.#pending.size;
  }

  get(id: string): PendingCommand | undefined {
    return this.#pending.get(id);
  }

  /** Adds a pending command; false when the book is at its bound or the id is taken. */
  add(pending: PendingCommand): boolean {
    if (this.#pending.size >= this.#maxPending || this.#pending.has(pending.id)) return false;
    this.#pending.set(pending.id, pending);
    return true;
  }

  /** Removes and returns a pending command (settled, timed out or cancelled). */
  remove(id: string): PendingCommand | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending;
  }

  /**
   * The node's pending commands, oldest first, to send again when its agent says hello: those
   * that never went out, and those whose send or result may have been lost with the socket.
   * The agent runs an id once, so sending again is safe.
   */
  toResend(node: string): PendingCommand[] {
    return [...this.#pending.values()].filter((p) => p.node === node);
  }

  /** Judges a result from `node`; on 'settle' the command is removed from the book. */
  onResult(node: string, message: ResultMessage): ResultVerdict {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return { kind: 'unknown' };
    if (pending.node !== node) return { kind: 'wrong-node' };
    this.#pending.delete(message.id);
    return { kind: 'settle', pending, result: resultOf(message) };
  }

  /** The pending command a progress message from `node` is about, if any. */
  progressFor(node: string, id: string): PendingCommand | undefined {
    const pending = this.#pending.get(id);
    return pending?.node === node ? pending : undefined;
  }
}
