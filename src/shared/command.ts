import type { ConfigOf, Spec } from './config-spec.js';
import type { ConfigIssue } from './errors.js';

/** What a subcommand receives: its validated config (a positional argument already folded in). */
export interface CommandContext<S extends Spec> {
  readonly config: ConfigOf<S>;
  /** The parsed `--config` file, for structured sections a flat spec cannot hold (limits, keys). */
  readonly file: unknown;
  /** The log level for the process's root logger, read from the environment once by the CLI. */
  readonly logLevel: string;
}

/**
 * One `infernode <name>` subcommand. The CLI parses flags, loads `--config <file>`, validates
 * against `spec` and calls `run`; `run` owns the process from then on (it may never return for
 * long-running servers). Returns the exit code.
 */
export interface Command<S extends Spec = Spec> {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Usage line shown in `--help`, e.g. `infernode sim --port <n> --model <name>`. */
  readonly usage: string;
  /** Env var prefix: INFERNODE_<envPrefix>_<PATH>. */
  readonly envPrefix: string;
  readonly spec: S;
  /** Longer help: what the command does, shown under usage. */
  readonly description?: string;
  /**
   * The one positional argument the command takes, if any: it sets the flag named here (e.g.
   * `infernode up my-cluster.yaml` sets `--cluster-file`). Commands without it refuse arguments.
   */
  readonly positional?: { readonly name: string; readonly flag: string };
  /** For command groups such as `infernode bench <scenario>`: the first argument picks one. */
  readonly subcommands?: readonly Command[];
  /** Checks across keys that single fields cannot express; reported like any config problem. */
  validate?(config: ConfigOf<S>): readonly ConfigIssue[];
  run(ctx: CommandContext<S>): Promise<number>;
}

/** Erases the spec type so commands can sit in one list. */
export function defineCommand<S extends Spec>(command: Command<S>): Command {
  return command;
}
