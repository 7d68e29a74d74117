/** What other areas need to define a subcommand. (The command list itself lives in commands.ts.) */
export { defineCommand, type Command, type CommandContext } from './command.js';
