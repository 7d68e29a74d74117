/**
 * One subcommand's command line, parsed by Node's own `util.parseArgs` with options generated
 * from the command's config spec: every flag is typed (booleans take no value and have a
 * `--no-` form), an unknown flag or an argument the command does not take is a `CLI_USAGE`
 * error, and the help text lists exactly the flags this accepts. Pure: no I/O.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError, describeSpec } from '../shared/index.js';
import type { Command } from '../shared/index.js';

/** What the command line of one subcommand said. */
export interface CommandLine {
  /** Values by flag name (without dashes): strings, or booleans for bool fields. */
  readonly flags: Readonly<Record<string, string | boolean>>;
  /** `--config <file>`, when given. */
  readonly configPath: string | undefined;
  readonly help: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The `parseArgs` option table of a command: its spec's flags plus `--config` and `--help`. */
export function commandOptions(command: Command): Options {
  const options: Options = {
    config: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const info of describeSpec(command.spec, command.envPrefix))
    options[info.flag] = { type: info.field.kind === 'bool' ? 'boolean' : 'string' };
  return options;
}

/** The quoted option or argument in a Node parseArgs error message, e.g. `'--bogus'`. */
const quoted = (message: string): string => /'([^']*)'/.exec(message)?.[1] ?? message;

/** Node's parseArgs errors, reworded as one line that says what to do. */
function usageError(command: Command, err: unknown): AppError {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const help = `see infernode ${command.name} --help`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return new AppError('CLI_USAGE', `unknown flag ${quoted(message)} (${help})`);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const takes = command.positional === undefined ? 'no arguments, only flags' : 'one argument';
    return new AppError(
      'CLI_USAGE',
      `unexpected argument "${quoted(message)}": infernode ${command.name} takes ${takes} (${help})`,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return new AppError('CLI_USAGE', `${message.split('\n')[0] ?? message} (${help})`);
  throw err;
}

/**
 * Parses the arguments after the subcommand's name. A command with a `positional` takes at most
 * one argument, which sets that positional's flag (giving both is an error unless they agree).
 */
export function parseCommandLine(command: Command, argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: commandOptions(command),
      strict: true,
      allowNegative: true,
      allowPositionals: command.positional !== undefined,
    });
  } catch (err) {
    throw usageError(command, err);
  }
  const { config, help, ...rest } = parsed.values as Record<string, string | boolean | undefined>;
  const flags: Record<string, string | boolean> = {};
  for (const [flag, value] of Object.entries(rest)) if (value !== undefined) flags[flag] = value;
  const [first, second] = parsed.positionals;
  if (second !== undefined)
    throw new AppError(
      'CLI_USAGE',
      `unexpected argument "${second}": infernode ${command.name} takes one argument (see infernode ${command.name} --help)`,
    );
  if (first !== undefined && command.positional !== undefined) {
    const { flag } = command.positional;
    const given = flags[flag];
    if (given !== undefined && given !== first)
      throw new AppError(
        'CLI_USAGE',
        `"${first}" and --${flag} ${String(given)} disagree: give one`,
      );
    flags[flag] = first;
  }
  return {
    flags,
    configPath: typeof config === 'string' ? config : undefined,
    help: help === true,
  };
}
