import type { Command } from '../shared/index.js';
import { benchCommand } from '../bench/index.js';
import { BlockClient } from '../kvcache/adapters/index.js';
import { createSimCommand } from '../sim/index.js';
import { versionCommand } from './version-command.js';
import { agentTokenCommand } from './agent-token-command.js';
import { statusCommand } from './status-command.js';
import { pullCommand } from './pull-command.js';
import { leaderCommand } from '../leader/index.js';
import { agentCommand } from '../agent/index.js';
import { upCommand } from '../up/index.js';

/** Every subcommand, in the order `infernode --help` lists them. Explicit list, no side effects. */
export const COMMANDS: readonly Command[] = [
  upCommand,
  leaderCommand,
  agentCommand,
  statusCommand,
  pullCommand,
  agentTokenCommand,
  // The simulator's KV connector talks to its agent's block service as a local engine.
  createSimCommand({ openKvBlockStore: (token) => new BlockClient({ token }) }),
  benchCommand,
  versionCommand,
];
