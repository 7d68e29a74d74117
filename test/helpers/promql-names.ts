/**
 * Metric names in PromQL and in the source, for the tests of deploy/grafana and deploy/prometheus:
 * which series an expression reads, whether src registers them, and the README's heading anchors
 * the alerts' runbook links point at.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** infernode's own names and the vLLM names the engines (and the simulator) serve. */
const METRIC_NAME = /\b(?:infernode_[a-z0-9_]+|vllm:[a-z0-9_:]+)/g;

/**
 * The metric names an expression reads. Label matchers and strings are dropped first, so a
 * label value that happens to look like a metric name is not counted; recording-rule names
 * (`level:metric:operation`) are not infernode_ names and are left to their own rule.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/[a-z_]+:infernode_[a-z0-9_:]+/g, '');
  return [...new Set(bare.match(METRIC_NAME) ?? [])];
}

/** The family a sample name belongs to: a histogram's `_bucket`, `_sum`, `_count` drop. */
export function metricFamily(name: string): string {
  return name.replace(/_(bucket|sum|count)$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every file under src/, concatenated: the place registered names are looked up in. */
export function sourceText(root = 'src'): string {
  return sourceFiles(root)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

/**
 * Whether src registers the family as a literal name: `'infernode_x'`, or the GPU facts'
 * `gauge('x', …)` under `infernode_gpu_${name}`.
 */
export function registeredInSource(family: string, source: string): boolean {
  if (source.includes(`'${family}'`)) return true;
  const gpu = /^infernode_gpu_(.+)$/.exec(family);
  return gpu !== null && source.includes(`gauge('${gpu[1]}'`);
}

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading in a Markdown text. */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) anchors.add(headingAnchor(m[1]!));
  return anchors;
}
