import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../src/cli/command-line.js';
import { defineCommand } from '../../../src/shared/index.js';
import { COMMANDS } from '../../../src/cli/commands.js';
import { bool, int, list, str } from '../../../src/shared/index.js';

const run = () => Promise.resolve(0);
const leaderLike = defineCommand({
  name: 'leader',
  summary: 's',
  usage: 'u',
  envPrefix: 'X',
  spec: { port: int(1, 'p'), gateway: { host: str('h', 'h') }, lora: bool(false, 'b') },
  run,
});
const upLike = defineCommand({
  name: 'up',
  summary: 's',
  usage: 'u',
  envPrefix: 'X',
  positional: { name: 'cluster-file', flag: 'cluster-file' },
  spec: { clusterFile: str('default.yaml', 'f'), models: list([], 'm') },
  run,
});

describe('parseCommandLine', () => {
  it.each([
    [['--port', '8000'], { port: '8000' }],
    [['--port=8000'], { port: '8000' }],
    [['--lora', '--port', '1'], { lora: true, port: '1' }],
    [['--no-lora'], { lora: false }],
    [['--gateway-host', '0.0.0.0'], { 'gateway-host': '0.0.0.0' }],
  ])('parses %j', (argv, flags) => {
    expect(parseCommandLine(leaderLike, argv)).toEqual({
      flags,
      configPath: undefined,
      help: false,
    });
  });

  it('reads --config and -h / --help apart from the flags', () => {
    expect(parseCommandLine(leaderLike, ['--config', 'c.yaml', '-h'])).toEqual({
      flags: {},
      configPath: 'c.yaml',
      help: true,
    });
  });

  it('refuses an unknown flag, naming it', () => {
    expect(() => parseCommandLine(leaderLike, ['--bogus', '1'])).toThrow(
      /^unknown flag --bogus \(see infernode leader --help\)$/,
    );
  });

  it('refuses an argument a command does not take', () => {
    expect(() => parseCommandLine(leaderLike, ['some-file.yaml'])).toThrow(
      /unexpected argument "some-file\.yaml": infernode leader takes no arguments/,
    );
  });

  it('refuses a value for a boolean flag and a string flag without one', () => {
    expect(() => parseCommandLine(leaderLike, ['--lora=yes'])).toThrow(/--lora/);
    expect(() => parseCommandLine(leaderLike, ['--port'])).toThrow(/--port/);
  });

  it('turns the positional argument into its flag', () => {
    expect(parseCommandLine(upLike, ['other.yaml']).flags).toEqual({
      'cluster-file': 'other.yaml',
    });
    expect(parseCommandLine(upLike, ['a.yaml', '--cluster-file', 'a.yaml']).flags).toEqual({
      'cluster-file': 'a.yaml',
    });
  });

  it('refuses a second argument, or a positional that disagrees with the flag', () => {
    expect(() => parseCommandLine(upLike, ['a.yaml', 'b.yaml'])).toThrow(
      /unexpected argument "b\.yaml": infernode up takes one argument/,
    );
    expect(() => parseCommandLine(upLike, ['a.yaml', '--cluster-file', 'b.yaml'])).toThrow(
      /disagree/,
    );
  });

  it('accepts `infernode up <file>` and `infernode pull <uri>`, and refuses stray arguments on every other command', () => {
    for (const command of COMMANDS.flatMap((c) => [c, ...(c.subcommands ?? [])])) {
      if (command.subcommands !== undefined) continue;
      if (command.name === 'up')
        expect(parseCommandLine(command, ['x.yaml']).flags['cluster-file']).toBe('x.yaml');
      else if (command.name === 'pull')
        expect(parseCommandLine(command, ['s3://m/x']).flags.uri).toBe('s3://m/x');
      else expect(() => parseCommandLine(command, ['x.yaml']), command.name).toThrow(/unexpected/);
    }
    const pull = COMMANDS.find((c) => c.name === 'pull')!;
    expect(() => parseCommandLine(pull, ['s3://m/x', 's3://m/y'])).toThrow(/unexpected/);
  });
});
