import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedRoot = path.resolve(repoRoot, '..', 'shared');
/** Generated benchmark inputs (~1 GB): never inside the tracked tree. */
export const cacheDir = process.env.SHOEBOX_BENCH_CACHE ?? path.join(repoRoot, '.cache');

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `fn` `warmup` times unmeasured, then `runs` times; returns each run's milliseconds. */
export async function timeRuns(fn: () => Promise<unknown> | unknown, runs: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

export interface BenchRow {
  name: string;
  median: number;
  unit: string;
  /** Ratio against the row named in `baseline`, measured in the same run. */
  ratio?: number;
  baseline?: string;
  detail?: string;
}

export class BenchReport {
  readonly rows: BenchRow[] = [];

  constructor(readonly section: string) {}

  add(row: BenchRow): BenchRow {
    this.rows.push(row);
    const ratio = row.ratio !== undefined ? `  x${row.ratio.toFixed(2)} vs ${row.baseline}` : '';
    const detail = row.detail ? `  (${row.detail})` : '';
    console.log(`  ${row.name.padEnd(44)} ${formatNumber(row.median).padStart(10)} ${row.unit.padEnd(8)}${ratio}${detail}`);
    return row;
  }

  /** Adds `row` with its ratio to an earlier row (higher-is-better units divide the other way round). */
  compare(row: BenchRow, baseline: BenchRow): BenchRow {
    return this.add({ ...row, ratio: row.median / baseline.median, baseline: baseline.name });
  }
}

function formatNumber(value: number): string {
  if (value >= 1000) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * Random-weight ONNX graphs with the exact shapes and operators of CLIP ViT-B/32 (fp32 and int8), built by
 * ../shared/tools/make-bench-models.py with Debian's python3-onnx, then arranged as flat model folders.
 */
export function benchModelDir(precision: 'fp32' | 'int8'): string {
  const graphs = path.join(cacheDir, 'bench-models');
  if (!existsSync(path.join(graphs, `clip_image_${precision}.onnx`))) {
    mkdirSync(graphs, { recursive: true });
    console.log(`building random-weight ViT-B/32 graphs into ${graphs} ...`);
    execFileSync('/usr/bin/python3', [path.join(sharedRoot, 'tools', 'make-bench-models.py'), graphs], { stdio: 'inherit' });
  }
  const dir = path.join(graphs, `vit-b-32-${precision}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    symlinkSync(path.join(graphs, `clip_image_${precision}.onnx`), path.join(dir, 'vision_model.onnx'));
    symlinkSync(path.join(graphs, `clip_text_${precision}.onnx`), path.join(dir, 'text_model.onnx'));
  }
  return dir;
}
