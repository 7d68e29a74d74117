import { execFileSync } from 'node:child_process';

/** End-to-end tests run the built CLI as child processes: build it (and the web console) fresh once. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  execFileSync(process.execPath, ['scripts/build-console.mjs'], { stdio: 'inherit' });
}
