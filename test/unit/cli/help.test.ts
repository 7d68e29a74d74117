import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { commandHelp, formatDefault, mainHelp } from '../../../src/cli/help.js';
import { bool, int, list, str } from '../../../src/shared/index.js';
import { packageRoot } from '../../../src/up/index.js';

const every = COMMANDS.flatMap((c) => [c, ...(c.subcommands ?? [])]).filter(
  (c) => c.subcommands === undefined,
);

describe('help texts', () => {
  it('show defaults as an operator types them, not as JSON', () => {
    expect(formatDefault(str('examples/a.yaml', 'd'))).toBe('examples/a.yaml');
    expect(formatDefault(str('', 'd'))).toBe('(none)');
    expect(formatDefault(int(8080, 'd'))).toBe('8080');
    expect(formatDefault(bool(false, 'd'))).toBe('false');
    expect(formatDefault(list(['a', 'b'], 'd'))).toBe('a,b');
    expect(formatDefault(list([], 'd'))).toBe('(none)');
    for (const command of every)
      expect(commandHelp(command), command.name).not.toMatch(/default "/);
  });

  it('cite only files that exist (outputs such as --out aside)', () => {
    const root = packageRoot();
    for (const command of every) {
      const text = commandHelp(command)
        .split('\n')
        .filter((line) => !/^\s*--out\b/.test(line) && !line.startsWith('Usage:'))
        .join('\n');
      const cited = text.match(/[\w./-]+\/[\w.-]+\.(?:ya?ml|json|jsonl|md)\b/g) ?? [];
      for (const file of cited) {
        const path = isAbsolute(file) ? file : join(root, file);
        expect(existsSync(path), `${command.name} --help cites ${file}`).toBe(true);
      }
    }
  });

  it('list --version at the top level', () => {
    expect(mainHelp(COMMANDS)).toMatch(/infernode --version/);
  });
});
