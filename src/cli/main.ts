#!/usr/bin/env node
/**
 * The `infernode` command: picks the subcommand, parses flags, loads and validates config once,
 * then hands over. Config problems are printed together and exit 1.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig, parseArgs, toError } from '../shared/index.js';
import { commandHelp, mainHelp } from './help.js';
import { COMMANDS } from './commands.js';

function write(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(text: string): number {
  process.stderr.write(`infernode: ${text}\n`);
  return 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    write(mainHelp(COMMANDS));
    return name === undefined ? 1 : 0;
  }
  let command = COMMANDS.find((c) => c.name === name);
  if (command?.subcommands !== undefined) {
    const group = command;
    const sub = rest.shift();
    if (sub === undefined || sub.startsWith('-')) {
      write(
        mainHelp(group.subcommands ?? []).replace(
          'infernode <command>',
          `infernode ${group.name} <scenario>`,
        ),
      );
      return sub === '--help' || sub === '-h' ? 0 : 1;
    }
    command = group.subcommands?.find((c) => c.name === sub);
    if (command === undefined) {
      return fail(
        `unknown ${group.name} scenario "${sub}"; valid: ${(group.subcommands ?? []).map((c) => c.name).join(', ')}`,
      );
    }
  }
  if (command === undefined)
    return fail(`unknown command "${name}"; valid: ${COMMANDS.map((c) => c.name).join(', ')}`);
  let parsed;
  try {
    parsed = parseArgs(rest);
  } catch (err) {
    return fail(toError(err).message);
  }
  const { help, h, config: configPath, ...flags } = parsed.flags;
  if (help === true || h === true) {
    write(commandHelp(command));
    return 0;
  }
  let file: unknown;
  if (typeof configPath === 'string') {
    try {
      file = parseYaml(readFileSync(configPath, 'utf8'));
    } catch (err) {
      return fail(`cannot read config file ${configPath}: ${toError(err).message}`);
    }
  }
  let config;
  try {
    config = loadConfig(command.spec, command.envPrefix, { file, env: process.env, flags });
    const issues = command.validate?.(config) ?? [];
    if (issues.length > 0) throw new ConfigError(issues);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', code: err.code, msg: 'invalid configuration', issues: err.issues })}\n`,
      );
      for (const issue of err.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
      return 1;
    }
    throw err;
  }
  return command.run({ config, positionals: parsed.positionals, file });
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
