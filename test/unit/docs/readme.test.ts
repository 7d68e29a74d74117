import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { renderConfigBlocks } from '../../../src/cli/readme-config.js';
import { ERROR_CODES } from '../../../src/shared/index.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('has configuration tables that match the code (run `npm run docs` to regenerate)', () => {
    expect(readme).toContain('<!-- config:leader -->\n| key |');
    expect(renderConfigBlocks(readme, COMMANDS)).toBe(readme);
  });

  it('lists every stable error code in its error table', () => {
    const missing = ERROR_CODES.filter((code) => !readme.includes(`| \`${code}\` |`));
    expect(missing).toEqual([]);
  });

  it('has a Quick start with the two commands: the local cluster and the whole test suite', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'));
    expect(quickStart).toContain('npm ci && npm start');
    expect(quickStart).toContain('./scripts/test.sh');
    expect(readFileSync('.ci/run', 'utf8')).toContain('scripts/test.sh');
  });
});
