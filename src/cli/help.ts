import { describeSpec } from '../shared/index.js';
import type { Command } from './command.js';

/** The help text of one subcommand, generated from its spec so it never drifts from the code. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.description !== undefined) lines.push('', command.description);
  lines.push('', 'Options (flag / environment variable, default):');
  for (const info of describeSpec(command.spec, command.envPrefix)) {
    const def = JSON.stringify(info.field.default);
    lines.push(
      `  --${info.flag}${info.env === undefined ? '' : `  [${info.env}]`}  (default ${def})`,
    );
    lines.push(`      ${info.field.doc}`);
  }
  lines.push(
    '  --config <file>  a YAML or JSON file with the same keys (flags and env override it)',
  );
  lines.push('  --help           this text');
  return lines.join('\n');
}

/** The top-level help: every command with its summary. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'infernode — a Kubernetes-native control plane for LLM inference',
    '',
    'Usage: infernode <command> [options]     (infernode <command> --help for its options)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}
