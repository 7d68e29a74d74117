import type { Command } from '../shared/index.js';
import { benchCommand } from '../bench/index.js';
import { versionCommand } from './version-command.js';
import { agentTokenCommand } from './agent-token-command.js';
import { statusCommand } from './status-command.js';
import { pullCommand } from './pull-command.js';
import { simCommand } from './sim-command.js';
import { leaderCommand } from '../leader/index.js';
import { agentCommand } from '../agent/index.js';
import { upCommand } from '../up/index.js';

/**
 * Every subcommand, in the order `infernode --help` lists them. Explicit list, no side effects.
 * Loading it loads every room: the CLI runs one command through command-loaders.ts instead.
 */
export const COMMANDS: readonly Command[] = [
  upCommand,
  leaderCommand,
  agentCommand,
  statusCommand,
  pullCommand,
  agentTokenCommand,
  simCommand,
  benchCommand,
  versionCommand,
];
