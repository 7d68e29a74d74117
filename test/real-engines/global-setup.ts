/**
 * The real-engines project needs llama.cpp's llama-server: scripts/build-llama-server.sh builds it
 * once per machine (several minutes the first time, instant after) and prints its path, which the
 * tests receive through `inject('llamaServerBinary')`. A failed build fails the project loudly;
 * nothing is skipped. The CLI is built too, since the tests start a real cluster from dist/.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    llamaServerBinary: string;
  }
}

/** The first build on 2 cores takes many minutes; past this something is wrong (CI allows 90). */
const BUILD_TIMEOUT_MS = 60 * 60_000;

export default function setup(project: TestProject): void {
  const out = execFileSync('bash', ['scripts/build-llama-server.sh'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    timeout: BUILD_TIMEOUT_MS,
  });
  const binary = out.trim().split('\n').pop() ?? '';
  if (binary === '') throw new Error('scripts/build-llama-server.sh printed no binary path');
  project.provide('llamaServerBinary', binary);
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
    timeout: 10 * 60_000,
  });
}
