import { describeSpec, type Field } from '../shared/index.js';
import type { Command } from '../shared/index.js';

/** A default as an operator would type it: `8080`, `examples/local-cluster.yaml`, `a,b`. */
export function formatDefault(field: Field): string {
  switch (field.kind) {
    case 'string':
      return field.default === '' ? '(none)' : field.default;
    case 'list':
      return field.default.length === 0 ? '(none)' : field.default.join(',');
    case 'int':
    case 'number':
    case 'bool':
      return String(field.default);
  }
}

/** The help text of one subcommand, generated from its spec so it never drifts from the code. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.description !== undefined) lines.push('', command.description);
  lines.push('', 'Options (flag / environment variable, default):');
  for (const info of describeSpec(command.spec, command.envPrefix)) {
    const flag =
      info.field.kind === 'bool' ? `--[no-]${info.flag}` : `--${info.flag} <${info.field.kind}>`;
    lines.push(
      `  ${flag}${info.env === undefined ? '' : `  [${info.env}]`}  (default ${formatDefault(info.field)})`,
    );
    lines.push(`      ${info.field.doc}`);
  }
  lines.push(
    '  --config <file>  a YAML or JSON file with the same keys (flags and env override it)',
  );
  lines.push('  -h, --help       this text');
  return lines.join('\n');
}

/** The top-level help: every command with its summary. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'infernode — a Kubernetes-native control plane for LLM inference',
    '',
    'Usage: infernode <command> [options]     (infernode <command> --help for its options)',
    '       infernode --version',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}
