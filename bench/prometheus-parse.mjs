// Micro-benchmark of the agent's Prometheus text parser (src/engine/prometheus-text.ts), which
// runs on every scrape: every 500 ms per engine. Input: the simulator's vLLM-shaped /metrics
// (LoRA on, after a few requests) plus lora_requests_info lines whose label values carry every
// escape the format has (\" \\ \n). It checks those values decode right, then times the parse.
// Usage: npm run build && node bench/prometheus-parse.mjs [iterations=5000]
/* global fetch -- Node 20's built-in fetch */
import console from 'node:console';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const dist = process.env.DIST ?? fileURLToPath(new URL('../dist', import.meta.url));
const { parsePrometheusText } = await import(`${dist}/engine/index.js`);
const { startSimServer } = await import(`${dist}/sim/index.js`);

const iterations = Number(process.argv[2] ?? 5000);
const sim = await startSimServer({ speed: 1000, model: 'm', enableLora: true });
let text;
try {
  for (let i = 0; i < 4; i++)
    await fetch(`${sim.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', prompt: 'hello '.repeat(50), max_tokens: 8 }),
    });
  text = await (await fetch(`${sim.url}/metrics`)).text();
} finally {
  await sim.close();
}
const ESCAPED =
  'vllm:lora_requests_info{max_lora="1",running_lora_adapters="a\\"b,c\\\\d",waiting_lora_adapters="x\\ny"} 1.7e9\n';
text += ESCAPED.repeat(3);

const parsed = parsePrometheusText(text);
const info = parsed.samples.findLast((s) => s.name === 'vllm:lora_requests_info');
const escapesOk =
  info?.labels.running_lora_adapters === 'a"b,c\\d' && info.labels.waiting_lora_adapters === 'x\ny';
if (!escapesOk) throw new Error(`escaped label values decoded wrong: ${JSON.stringify(info)}`);

for (let i = 0; i < 500; i++) parsePrometheusText(text);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < iterations; i++) parsePrometheusText(text);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const meanUs = (wallMs * 1000) / iterations;
console.log(
  JSON.stringify(
    {
      bytes: text.length,
      lines: text.split('\n').length,
      samples: parsed.samples.length,
      malformedLines: parsed.malformedLines,
      escapesOk,
      iterations,
      meanUsPerParse: Number(meanUs.toFixed(1)),
      cpuUsPerParse: Number(((cpu.user + cpu.system) / iterations).toFixed(1)),
      mbPerSecond: Number((text.length / meanUs).toFixed(1)),
      cpuShareAt500msPerEngine: Number((meanUs / 500_000).toFixed(5)),
      loadAverage1m: Number(loadavg()[0].toFixed(2)),
    },
    null,
    2,
  ),
);
