/**
 * The `infernode` command: argument parsing, help and the list of subcommands. Each capability
 * defines its own command (`defineCommand` from `shared`) and exports it; this room only composes
 * them (commands.ts for help, command-loaders.ts to load only the one that runs) and imports no
 * room's internals. Nothing imports `cli`.
 */
export { COMMANDS } from './commands.js';
