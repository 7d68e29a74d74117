import type { Command } from './command.js';
import { benchCommand } from '../bench/index.js';
import { simCommand } from '../sim/index.js';
import { versionCommand } from './version-command.js';

/** Every subcommand, in the order `infernode --help` lists them. Explicit list, no side effects. */
export const COMMANDS: readonly Command[] = [versionCommand, simCommand, benchCommand];
