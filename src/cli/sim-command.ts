/** The `sim` subcommand as the CLI runs it: its KV connector talks to the agent's block service. */
import { BlockClient } from '../kvcache/adapters/index.js';
import { createSimCommand } from '../sim/index.js';

/** The simulator's KV connector talks to its agent's block service as a local engine. */
export const simCommand = createSimCommand({
  openKvBlockStore: (token) => new BlockClient({ token }),
});
