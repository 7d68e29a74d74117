/**
 * The agent command channel (DESIGN.md §4.2, §8b): the leader acts on a node only through a
 * `command` (id, epoch, kind, args) that the agent answers with any number of `progress` and one
 * `result`. Ids make commands idempotent (a repeated id runs once); epochs fence a stale leader.
 */

/** Bounds on what one command message may carry (validate-command.ts enforces them). */
export const COMMAND_LIMITS = {
  /** Characters of a command id. */
  idChars: 128,
  /** Characters of a kind name (`engine.drain`, `weights.pull`, ...). */
  kindChars: 64,
  /** Serialized size of a command's args, bytes (UTF-16 code units, close enough). */
  argsBytes: 64 * 1024,
  /** Serialized size of one progress object. */
  progressBytes: 4 * 1024,
  /** Serialized size of a result's value. */
  valueBytes: 64 * 1024,
  /** Nesting depth of args, progress and value: handlers may walk them recursively. */
  jsonDepth: 16,
  /** Characters of an error code and of an error message. */
  codeChars: 64,
  messageChars: 2048,
  /** Largest timeout a command may ask for: one day. */
  maxTimeoutMs: 24 * 60 * 60 * 1000,
} as const;

/** A JSON object, as args, progress and values are. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** leader → agent: run `kind` with `args`, once per `id`. */
export interface CommandMessage {
  readonly v: 1;
  readonly type: 'command';
  readonly id: string;
  /** The sending leader's epoch; an agent that saw a newer one refuses the command. */
  readonly epoch: number;
  readonly kind: string;
  readonly args: JsonObject;
  /** Overrides the kind's default timeout on the agent. */
  readonly timeoutMs?: number;
}

/** leader → agent: stop command `id` (queued or running); its result says COMMAND_CANCELLED. */
export interface CancelMessage {
  readonly v: 1;
  readonly type: 'cancel';
  readonly id: string;
}

/** agent → leader: how far command `id` has got (the latest one wins). */
export interface ProgressMessage {
  readonly v: 1;
  readonly type: 'progress';
  readonly id: string;
  readonly progress: JsonObject;
}

/** An error as a result carries it: a stable code (ERROR_CODES on the agent) and a message. */
export interface CommandError {
  readonly code: string;
  readonly message: string;
}

/** agent → leader: the one outcome of command `id`. */
export type ResultMessage =
  | {
      readonly v: 1;
      readonly type: 'result';
      readonly id: string;
      readonly kind: string;
      readonly ok: true;
      readonly value?: JsonObject;
    }
  | {
      readonly v: 1;
      readonly type: 'result';
      readonly id: string;
      readonly kind: string;
      readonly ok: false;
      readonly error: CommandError;
    };
