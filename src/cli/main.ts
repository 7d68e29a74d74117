#!/usr/bin/env node
/**
 * The `infernode` command: picks the subcommand, parses its flags (node:util parseArgs, options
 * generated from its config spec), loads and validates config once, then hands over. Usage and
 * config problems, and the operator errors a command throws (`AppError`: a missing file, a busy
 * port), print once without a stack and exit 1; only a bug prints a stack.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  AppError,
  ConfigError,
  INFERNODE_VERSION,
  loadConfig,
  logLevelFromEnv,
  toError,
} from '../shared/index.js';
import type { Command } from '../shared/index.js';
import { parseCommandLine, type CommandLine } from './command-line.js';
import { commandHelp, mainHelp } from './help.js';
import { COMMAND_LOADERS } from './command-loaders.js';

function write(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(text: string): number {
  process.stderr.write(`infernode: ${text}\n`);
  return 1;
}

/**
 * Config problems, printed once: one structured line where a machine reads the log (not a
 * terminal, e.g. a pod), readable lines at a terminal. Never both (they used to print twice).
 */
function reportConfigError(command: Command, err: ConfigError): void {
  if (!process.stderr.isTTY) {
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', code: err.code, command: command.name, msg: 'invalid configuration', issues: err.issues })}\n`,
    );
    return;
  }
  const lines = err.issues.map((issue) => `  ${issue.path}: ${issue.message}`);
  process.stderr.write(`infernode ${command.name}: invalid configuration\n${lines.join('\n')}\n`);
}

/** Every command, for the top-level help (this loads every room). */
async function allCommands(): Promise<readonly Command[]> {
  return (await import('./commands.js')).COMMANDS;
}

/** The command named by argv (a scenario of a group), or the exit code when there is none. */
async function pickCommand(argv: string[]): Promise<Command | number> {
  const name = argv.shift();
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    write(mainHelp(await allCommands()));
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    write(INFERNODE_VERSION);
    return 0;
  }
  const loader = COMMAND_LOADERS.find((c) => c.name === name);
  if (loader === undefined)
    return fail(
      `unknown command "${name}"; valid: ${COMMAND_LOADERS.map((c) => c.name).join(', ')}`,
    );
  const command = await loader.load();
  if (command.subcommands === undefined) return command;
  const subcommands = command.subcommands;
  const sub = argv.shift();
  if (sub === undefined || sub.startsWith('-')) {
    write(
      mainHelp(subcommands).replace('infernode <command>', `infernode ${command.name} <scenario>`),
    );
    return sub === '--help' || sub === '-h' ? 0 : 1;
  }
  return (
    subcommands.find((c) => c.name === sub) ??
    fail(
      `unknown ${command.name} scenario "${sub}"; valid: ${subcommands.map((c) => c.name).join(', ')}`,
    )
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const rest = [...argv];
  const command = await pickCommand(rest);
  if (typeof command === 'number') return command;
  let line: CommandLine;
  try {
    line = parseCommandLine(command, rest);
  } catch (err) {
    if (err instanceof AppError) return fail(err.message);
    throw err;
  }
  if (line.help) {
    write(commandHelp(command));
    return 0;
  }
  let file: unknown;
  if (line.configPath !== undefined) {
    try {
      file = parseYaml(readFileSync(line.configPath, 'utf8'));
    } catch (err) {
      const reason = (toError(err).message.split('\n')[0] ?? '').trim();
      return fail(`cannot read the config file ${line.configPath}: ${reason}`);
    }
  }
  let config;
  try {
    config = loadConfig(command.spec, command.envPrefix, {
      file,
      env: process.env,
      flags: line.flags,
    });
    const issues = command.validate?.(config) ?? [];
    if (issues.length > 0) throw new ConfigError(issues);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    reportConfigError(command, err);
    return 1;
  }
  try {
    return await command.run({ config, file, logLevel: logLevelFromEnv(process.env) });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    process.stderr.write(`infernode ${command.name}: ${err.message} [${err.code}]\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`infernode: fatal: ${toError(err).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
