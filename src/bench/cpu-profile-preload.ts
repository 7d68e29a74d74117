/**
 * Preload for profiling benchmark children (`NODE_OPTIONS=--import=<this file>`; Node 20 refuses
 * `--cpu-prof` in NODE_OPTIONS): starts the V8 CPU profiler at startup and, on exit, writes
 * `<INFERNODE_CPU_PROF_DIR>/<subcommand>-<pid>.cpuprofile` (open it in Chrome DevTools).
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.INFERNODE_CPU_PROF_DIR;
if (dir !== undefined && dir !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 100 });
  session.post('Profiler.start');
  // An in-thread inspector session answers synchronously, so this works inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err !== null) return;
      mkdirSync(dir, { recursive: true });
      const name = `${process.argv[2] ?? 'node'}-${process.pid}.cpuprofile`;
      writeFileSync(join(dir, name), JSON.stringify(result.profile));
    });
  });
}
