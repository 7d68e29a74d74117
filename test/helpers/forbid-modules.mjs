/**
 * `node --import <this file>`: registers forbid-modules-hooks.mjs, which fails the import of any
 * package named in INFERNODE_FORBID_MODULES. Passed to child processes through NODE_OPTIONS.
 */
import { register } from 'node:module';

register('./forbid-modules-hooks.mjs', import.meta.url);
