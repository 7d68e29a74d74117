/**
 * Each subcommand's module, loaded when that command runs, so a process loads only the rooms its
 * command needs: a simulator or `infernode status` does not load the Kubernetes client, the S3
 * SDK or the leader. Loading every room cost each process ~1.2 s and ~95 MiB of RSS before its
 * command began (`infernode sim --help`: 1.65 s, 173 MB). Same names and order as COMMANDS
 * (commands.ts, for help and docs); a test holds the two lists together.
 */
import type { Command } from '../shared/index.js';

/** One subcommand: its name, and how to load it. */
export interface CommandLoader {
  readonly name: string;
  load(): Promise<Command>;
}

export const COMMAND_LOADERS: readonly CommandLoader[] = [
  { name: 'up', load: async () => (await import('../up/index.js')).upCommand },
  { name: 'leader', load: async () => (await import('../leader/index.js')).leaderCommand },
  { name: 'agent', load: async () => (await import('../agent/index.js')).agentCommand },
  { name: 'status', load: async () => (await import('./status-command.js')).statusCommand },
  { name: 'pull', load: async () => (await import('./pull-command.js')).pullCommand },
  {
    name: 'agent-token',
    load: async () => (await import('./agent-token-command.js')).agentTokenCommand,
  },
  { name: 'sim', load: async () => (await import('./sim-command.js')).simCommand },
  { name: 'bench', load: async () => (await import('../bench/index.js')).benchCommand },
  { name: 'version', load: async () => (await import('./version-command.js')).versionCommand },
];
