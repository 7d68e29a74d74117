import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types (scripts/ is not compiled)
import { violations } from '../../../scripts/check-architecture.mjs';

const check = violations as (srcDir: string) => string[];
let dir: string | undefined;

/** Writes a small src tree: path → file text. */
function tree(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'arch-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('check-architecture', () => {
  it('passes a layered tree with adapters behind their entry', () => {
    const src = tree({
      'shared/index.ts': 'export const a = 1;\n',
      'gpu/index.ts': "import { a } from '../shared/index.js';\nexport const b = a;\n",
      'gpu/adapters/index.ts': "export * from './probe.js';\n",
      'gpu/adapters/probe.ts': 'export const p = 1;\n',
      'agent/main.ts': "import { p } from '../gpu/adapters/index.js';\nexport const m = p;\n",
    });
    expect(check(src)).toEqual([]);
  });

  it('finds a cycle made of type-only imports', () => {
    const src = tree({
      'routing/a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'routing/b.ts': "import type { A } from './a.js';\nexport type B = A | 1;\n",
    });
    expect(check(src)).toEqual(['import cycle: src/routing/a.ts → src/routing/b.ts']);
  });

  it('refuses an import of a room above', () => {
    const src = tree({
      'cli/command.ts': 'export const c = 1;\n',
      'agent/agent-command.ts': "import { c } from '../cli/command.js';\nexport const x = c;\n",
    });
    expect(check(src)).toEqual([
      'src/agent/agent-command.ts: agent may not import cli, a room above it',
    ]);
  });

  it('reads a dynamic import() of a literal path like a static one', () => {
    const src = tree({
      'cli/command.ts': 'export const c = 1;\n',
      'agent/load.ts': "export const load = async () => (await import('../cli/command.js')).c;\n",
      'routing/a.ts': "export const a = () => import('./b.js');\n",
      'routing/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
    });
    expect(check(src)).toEqual([
      'import cycle: src/routing/a.ts → src/routing/b.ts',
      'src/agent/load.ts: agent may not import cli, a room above it',
    ]);
  });

  it('keeps adapters out of pure rooms and out of index.ts', () => {
    const src = tree({
      'gpu/index.ts': "export * from './adapters/probe.js';\n",
      'gpu/adapters/probe.ts': 'export const p = 1;\n',
      'gateway/pick.ts': "import { p } from '../gpu/adapters/probe.js';\nexport const q = p;\n",
    });
    expect(check(src).sort()).toEqual([
      "src/gateway/pick.ts: only composition roots import gpu's adapters",
      'src/gpu/index.ts: an index.ts does not re-export adapters (use adapters/index.ts)',
    ]);
  });

  it('keeps the web console’s browser code and Node code apart', () => {
    const src = tree({
      'shared/index.ts': 'export const a = 1;\n',
      'console/console-snapshot.ts': 'export const v = 1;\n',
      'console/web/main.ts': "import { v } from '../console-snapshot.js';\nexport const m = v;\n",
      'console/web/bad.ts': "import { a } from '../../shared/index.js';\nexport const b = a;\n",
      'console/feed.ts': "import { m } from './web/main.js';\nexport const f = m;\n",
    });
    expect(check(src).sort()).toEqual([
      'src/console/feed.ts: Node code may not import browser code (src/console/web)',
      'src/console/web/bad.ts: browser code imports only src/console/*.ts beside it',
    ]);
  });
});
