import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/shared/index.js';

describe('parseArgs', () => {
  it.each([
    [['--port', '8000'], { port: '8000' }, []],
    [['--port=8000'], { port: '8000' }, []],
    [['--enable-lora', '--port', '1'], { 'enable-lora': true, port: '1' }, []],
    [['--no-color'], { color: false }, []],
    [['gateway', '--out', 'x.json'], { out: 'x.json' }, ['gateway']],
    [['--', '--not-a-flag'], {}, ['--not-a-flag']],
  ])('parses %j', (argv, flags, positionals) => {
    expect(parseArgs(argv)).toEqual({ flags, positionals });
  });
});
