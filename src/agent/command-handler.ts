/**
 * What a command kind plugs into the agent's executor (command-executor.ts): its name, its
 * default timeout and concurrency, a pure parser of its args, and the work itself. Weights, LoRA
 * and drain each register one handler per kind in src/agent/main.ts.
 */
import type { JsonObject } from '../protocol/index.js';
import type { Logger } from '../shared/index.js';

/** Parsed args, or why they do not validate (the result is COMMAND_BAD_ARGS with `message`). */
export type ParsedArgs<A> =
  { readonly ok: true; readonly args: A } | { readonly ok: false; readonly message: string };

/** What a handler's `run` may use. */
export interface CommandContext {
  /** Aborts on timeout, cancel or agent stop; the handler must stop its I/O when it fires. */
  readonly signal: AbortSignal;
  /** Reports how far the work has got (small: at most COMMAND_LIMITS.progressBytes). */
  readonly progress: (progress: JsonObject) => void;
  /** A child logger bound to the command's id and kind. */
  readonly log: Logger;
}

/** One command kind. */
export interface CommandHandler<A = unknown> {
  /** The kind's wire name, e.g. `engine.drain`. */
  readonly kind: string;
  /** Default timeout of one run; a command's own `timeoutMs` overrides it. */
  readonly timeoutMs: number;
  /** Most commands of this kind running at once; the rest wait in the queue. */
  readonly concurrency: number;
  /** Validates the wire args into typed args; never throws. */
  parseArgs(args: JsonObject): ParsedArgs<A>;
  /**
   * Does the work; resolves with the result's value. An AppError's code reaches the leader as
   * is; any other error is COMMAND_FAILED with its message.
   */
  run(args: A, context: CommandContext): Promise<JsonObject | undefined>;
}

/** The one outcome of a command, as its `result` message carries it. */
export type CommandOutcome =
  | { readonly ok: true; readonly value?: JsonObject }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
