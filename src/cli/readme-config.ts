/**
 * The README's configuration tables, generated from the same specs that parse flags and env, so
 * the docs cannot drift: `npm run docs` rewrites the blocks between `<!-- config:<command> -->`
 * and `<!-- /config:<command> -->`, and a test fails when they are out of date.
 */
import { describeSpec } from '../shared/index.js';
import type { Command } from '../shared/index.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** A markdown table of one command's configuration keys. */
export function configTable(command: Command): string {
  const rows = describeSpec(command.spec, command.envPrefix).map(
    (f) =>
      `| \`${f.path}\` | \`--${f.flag}\` | ${f.env === undefined ? '' : `\`${f.env}\``} | \`${JSON.stringify(f.field.default)}\` | ${cell(f.field.doc)} |`,
  );
  return ['| key | flag | env | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The README with every config block regenerated from `commands`. */
export function renderConfigBlocks(readme: string, commands: readonly Command[]): string {
  return readme.replace(
    /<!-- config:([a-z-]+) -->[\s\S]*?<!-- \/config:\1 -->/g,
    (block, name: string) => {
      const command = commands.find((c) => c.name === name);
      return command === undefined
        ? block
        : `<!-- config:${name} -->\n${configTable(command)}\n<!-- /config:${name} -->`;
    },
  );
}
