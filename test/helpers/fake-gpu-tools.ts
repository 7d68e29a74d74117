/** Helpers for tests that run the fake GPU tools in test/fixtures/bin through the real probes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the fake `nvidia-smi` and `rocm-smi`. */
export const FAKE_BIN = fileURLToPath(new URL('../fixtures/bin', import.meta.url));

/** A scenario file in a temp dir; `write` replaces it (the fake tools re-read it on every run). */
export class FakeGpuScenario {
  readonly dir = mkdtempSync(join(tmpdir(), 'fake-gpu-'));
  readonly path = join(this.dir, 'scenario.json');
  readonly #previous = process.env.INFERNODE_FAKE_GPU_SCENARIO;

  constructor(initial: object = {}) {
    this.write(initial);
    process.env.INFERNODE_FAKE_GPU_SCENARIO = this.path;
  }

  write(scenario: object): void {
    writeFileSync(this.path, JSON.stringify(scenario));
  }

  /** A PATH with only the fake tools' folder and the folder of `node` (for the shebang). */
  pathWithFakes(): string {
    return [FAKE_BIN, join(process.execPath, '..')].join(delimiter);
  }

  dispose(): void {
    if (this.#previous === undefined) delete process.env.INFERNODE_FAKE_GPU_SCENARIO;
    else process.env.INFERNODE_FAKE_GPU_SCENARIO = this.#previous;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
