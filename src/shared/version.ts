import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package version, read once from package.json (two levels above dist/shared or src/shared). */
export const INFERNODE_VERSION: string = (require('../../package.json') as { version: string })
  .version;
