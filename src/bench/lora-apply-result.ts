/**
 * Runs `bench lora --mode apply` and records it as the `apply` section of the LoRA result file,
 * beside the density result already there (which it keeps).
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { writeBenchResult } from './results.js';
import { runLoraApply } from './lora-apply.js';

/** The flags apply mode reads. */
export interface ApplyModeConfig {
  readonly applies: number;
  readonly engines: number;
  readonly pollMs: number;
  readonly out: string;
}

/** Measures, merges the `apply` section into `config.out`, prints the summary; exit code 0. */
export async function writeApplyResult(config: ApplyModeConfig): Promise<number> {
  const report = (line: string): void => void process.stdout.write(`${line}\n`);
  const result = await runLoraApply({
    applies: config.applies,
    engines: config.engines,
    pollMs: config.pollMs,
    timeoutMs: 60_000,
    leaderArgs: [],
    report,
  });
  const command = `infernode bench lora --mode apply --applies ${config.applies} --engines ${config.engines} --poll-ms ${config.pollMs}`;
  const previous = await readFile(config.out, 'utf8').then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => undefined,
  );
  const apply = {
    command,
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    result,
  };
  if (previous === undefined) await writeBenchResult(config.out, command, { apply });
  else {
    await writeFile(config.out, `${JSON.stringify({ ...previous, apply }, null, 2)}\n`);
  }
  const { routedMs, statusMs, runningMs } = result;
  report(
    `apply → status p50 ${statusMs.p50Ms} ms; → Running p50 ${runningMs.p50Ms} ms; → routed p50 ${routedMs.p50Ms} ms p95 ${result.routedP95Ms} ms (goal < ${result.goalMs} ms: ${result.metGoal ? 'met' : 'MISSED'})\nwrote ${config.out}`,
  );
  return 0;
}
