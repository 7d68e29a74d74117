#!/usr/bin/env node
/**
 * The house rules ESLint cannot see file by file (part of `npm run lint`):
 *
 * 1. No import cycle between files under src/, type-only imports included: a cycle of types is
 *    still two modules that cannot be understood apart, and it turns into a load-order bug the
 *    day one side gains a value import.
 * 2. Rooms are layered: a room imports only rooms below it in ROOMS (bottom first), so no room
 *    runs back up to one that composes it.
 * 3. A room's I/O adapters are reached from other rooms only through its `adapters/index.ts`,
 *    and only from the composition roots (COMPOSITION_ROOTS); a room's own `index.ts` never
 *    re-exports them. So pure code that imports a room never loads its I/O.
 * 4. Browser code (WEB_DIR, the web console's page, compiled with DOM types by its own tsconfig)
 *    and Node code do not mix: no Node file imports it, and it imports nothing outside its
 *    room but the console contract files beside it.
 *
 * Reads import specifiers with a regular expression: static `import`/`export … from`, and
 * `import('…')` with a literal path (the CLI loads each command's room only when it runs). Exit 1
 * with one line per violation.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/** Rooms from the bottom up: each may import only rooms listed before it. */
export const ROOMS = [
  'shared',
  'engine',
  'discovery',
  'kvcache',
  'protocol',
  'controllers',
  'routing',
  'traffic',
  'gpu',
  'weights',
  'lora',
  'autoscaling',
  'fleet',
  'optimizer',
  'kube',
  'gateway',
  'console',
  'sim',
  'agent',
  'leader',
  'up',
  'bench',
  'cli',
];

/** The browser code's folder under src/ (see rule 4). */
export const WEB_DIR = 'console/web';

/** Rooms that compose processes and may import other rooms' adapters entries. */
export const COMPOSITION_ROOTS = new Set(['agent', 'leader', 'up', 'bench', 'cli']);

const IMPORT =
  /(?:(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function listTs(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** File → the src files it imports (relative specifiers resolved, `.js` → `.ts`). */
export function importGraph(srcDir) {
  const graph = new Map();
  for (const file of listTs(srcDir)) {
    const deps = [];
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1]).replace(/\.js$/, '.ts');
      if (existsSync(target)) deps.push(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan, iterative-safe sizes here). */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const indexOf = new Map();
  const low = new Map();
  const found = [];
  const visit = (v) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indexOf.get(w)));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return found;
}

/** Every violation of the three rules, as one line each. */
export function violations(srcDir) {
  const graph = importGraph(srcDir);
  const rel = (f) => relative(srcDir, f);
  const roomOf = (f) => rel(f).split('/')[0];
  const out = [];
  for (const component of cycles(graph))
    out.push(`import cycle: ${component.map((f) => `src/${rel(f)}`).join(' → ')}`);
  for (const [file, deps] of graph) {
    const from = roomOf(file);
    for (const dep of deps) {
      const to = roomOf(dep);
      const isEntry = file.endsWith('/index.ts') && !/\/adapters\/index\.ts$/.test(file);
      if (isEntry && dirname(dep).startsWith(join(dirname(file), 'adapters')))
        out.push(
          `src/${rel(file)}: an index.ts does not re-export adapters (use adapters/index.ts)`,
        );
      const fromWeb = rel(file).startsWith(`${WEB_DIR}/`);
      const toWeb = rel(dep).startsWith(`${WEB_DIR}/`);
      if (!fromWeb && toWeb)
        out.push(`src/${rel(file)}: Node code may not import browser code (src/${WEB_DIR})`);
      if (fromWeb && !toWeb && dirname(rel(dep)) !== dirname(WEB_DIR))
        out.push(
          `src/${rel(file)}: browser code imports only src/${dirname(WEB_DIR)}/*.ts beside it`,
        );
      if (from === to) continue;
      const fromRank = ROOMS.indexOf(from);
      const toRank = ROOMS.indexOf(to);
      if (fromRank < 0 || toRank < 0)
        out.push(`src/${rel(file)}: room ${fromRank < 0 ? from : to} is not in ROOMS`);
      else if (toRank > fromRank)
        out.push(`src/${rel(file)}: ${from} may not import ${to}, a room above it`);
      const inner = rel(dep).split('/').slice(1).join('/');
      if (/(^|\/)adapters\//.test(inner) && !COMPOSITION_ROOTS.has(from))
        out.push(`src/${rel(file)}: only composition roots import ${to}'s adapters`);
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const found = violations(src);
  for (const line of found) process.stderr.write(`${line}\n`);
  if (found.length > 0) process.exit(1);
  process.stdout.write('architecture: no cycles, rooms layered, adapters behind their entries\n');
}
