#!/usr/bin/env node
/**
 * Builds the web console into dist/console/web/ (part of `npm run build` and `prepare`): compiles
 * the browser code (src/console/web/tsconfig.json) and copies the page's static files and uPlot's
 * browser build next to it, so the leader serves one folder and the page works air-gapped.
 *
 * The served layout (the leader maps `/console/assets/<path>` to `dist/console/web/<path>`):
 *   index.html                      GET /console
 *   console.css                     /console/assets/console.css
 *   web/*.js                        /console/assets/web/main.js (entry) and the other page modules
 *   console-snapshot.js, console-delta.js   the contract modules the page imports (../console-delta.js)
 *   uplot/uPlot.esm.js, uplot/uPlot.min.css  uPlot, resolved by the page's import map
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/console/web');
const out = join(root, 'dist/console/web');
const require = createRequire(join(root, 'package.json'));

execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(source, 'tsconfig.json')],
  { stdio: 'inherit' },
);
mkdirSync(join(out, 'uplot'), { recursive: true });
for (const file of ['index.html', 'console.css']) copyFileSync(join(source, file), join(out, file));
const uplotDist = dirname(require.resolve('uplot/dist/uPlot.esm.js'));
for (const file of ['uPlot.esm.js', 'uPlot.min.css'])
  copyFileSync(join(uplotDist, file), join(out, 'uplot', file));
