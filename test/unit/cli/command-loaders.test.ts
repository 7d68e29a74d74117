import { describe, expect, it } from 'vitest';
import { COMMAND_LOADERS } from '../../../src/cli/command-loaders.js';
import { COMMANDS } from '../../../src/cli/commands.js';

describe('COMMAND_LOADERS', () => {
  it('names every command of the help, in its order, and loads that very command', async () => {
    expect(COMMAND_LOADERS.map((c) => c.name)).toEqual(COMMANDS.map((c) => c.name));
    for (const [i, loader] of COMMAND_LOADERS.entries())
      expect(await loader.load()).toBe(COMMANDS[i]);
  });
});
