import { defineCommand } from '../shared/index.js';
import { INFERNODE_VERSION } from '../shared/index.js';

export const versionCommand = defineCommand({
  name: 'version',
  summary: 'print the infernode version',
  usage: 'infernode version',
  envPrefix: 'VERSION',
  spec: {},
  run() {
    process.stdout.write(`${INFERNODE_VERSION}\n`);
    return Promise.resolve(0);
  },
});
