// Regenerates the README's configuration tables from the command specs (run after `npm run build`).
import { readFileSync, writeFileSync } from 'node:fs';
import { COMMANDS } from '../dist/cli/commands.js';
import { renderConfigBlocks } from '../dist/cli/readme-config.js';

const readme = readFileSync('README.md', 'utf8');
writeFileSync('README.md', renderConfigBlocks(readme, COMMANDS));
