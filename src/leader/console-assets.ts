/**
 * The console page's files: `GET /console` (index.html) and `/console/assets/<path>` from the
 * folder `npm run build` writes (dist/console/web: the page's JS and CSS, uPlot's browser build).
 * Only files found there at start are served (an allow-list keyed by exact path, so no request
 * can walk out of the folder); uPlot falls back to node_modules/uplot/dist when the folder lacks
 * it. Without a built page a placeholder says how to build it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};
/** Files served at most, and their total bytes: the folder is ours, but a bound is a bound. */
const MAX_FILES = 200;
const MAX_TOTAL_BYTES = 16 * 1024 * 1024;

/** Shown when the page was not built (running from sources without `npm run build`). */
export const PLACEHOLDER_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>infernode console</title></head>
<body><h1>infernode console</h1><p>The page is not built: run <code>npm run build</code>. The data is at
<a href="/v1/console/snapshot">/v1/console/snapshot</a> and <code>/v1/console/stream</code>.</p></body></html>`;

/** Where the built page lives: next to this module in dist, or the checkout's dist from sources. */
export function defaultConsoleWebDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const besideDist = join(here, '..', 'console', 'web');
  if (existsSync(join(besideDist, 'index.html'))) return besideDist;
  return join(here, '..', '..', 'dist', 'console', 'web');
}

function listFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, out);
    else if (entry.isFile() && TYPES[extname(entry.name)] !== undefined) out.push(path);
  }
  return out;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** The page's files, read once. */
export class ConsoleAssets {
  readonly #assets = new Map<string, Asset>();
  readonly #index: Asset;

  constructor(webDir: string = defaultConsoleWebDir()) {
    let total = 0;
    for (const path of listFiles(webDir).slice(0, MAX_FILES)) {
      const size = statSync(path).size;
      if (total + size > MAX_TOTAL_BYTES) break;
      total += size;
      const key = relative(webDir, path).split(sep).join('/');
      this.#assets.set(key, { body: readFileSync(path), type: TYPES[extname(path)] as string });
    }
    // uPlot from its package when the build did not copy it.
    const require = createRequire(import.meta.url);
    for (const file of ['uPlot.esm.js', 'uPlot.min.css']) {
      const key = `uplot/${file}`;
      if (this.#assets.has(key)) continue;
      try {
        const path = require.resolve(`uplot/dist/${file}`);
        this.#assets.set(key, { body: readFileSync(path), type: TYPES[extname(file)] as string });
      } catch {
        // Not installed: the page's charts stay empty, the rest works.
      }
    }
    this.#index = this.#assets.get('index.html') ?? {
      body: Buffer.from(PLACEHOLDER_HTML),
      type: TYPES['.html'] as string,
    };
  }

  /** Whether the built page (not the placeholder) is served. */
  get built(): boolean {
    return this.#assets.has('index.html');
  }

  /** Serves `/console` or `/console/assets/…`; false when `path` is neither or unknown. */
  serve(path: string, res: http.ServerResponse): boolean {
    if (path === '/console' || path === '/console/') {
      this.#send(res, this.#index, 'no-cache');
      return true;
    }
    if (!path.startsWith('/console/assets/')) return false;
    const asset = this.#assets.get(path.slice('/console/assets/'.length));
    if (asset === undefined) return false;
    // Revalidated every load: file names carry no content hash, and a new leader may serve new code.
    this.#send(res, asset, 'public, max-age=300, must-revalidate');
    return true;
  }

  #send(res: http.ServerResponse, asset: Asset, cache: string): void {
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': asset.body.length,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    res.end(asset.body);
  }
}
