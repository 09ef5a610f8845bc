import { DatasetError, loadDataset, type EvalDataset } from '../../eval/datasets';
import { evaluate, type EvalProgress, type EvalResult } from '../../eval/evaluate';
import type { RetrievalMetrics } from '../../eval/metrics';
import { CliError, commonOptions, numberOption, stringOption, writeJson, type CliCommand } from '../command';
import { modelOptions, openModelArgument } from '../model-argument';

/** `shoebox eval`: the standard retrieval evaluation of a model on a Flickr8k-style or labelled-folder dataset. */
export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'evaluate a model on a dataset: retrieval recall/MRR, graded nDCG@10, zero-shot accuracy',
  usage:
    'shoebox eval <dataset-dir> [--model <dir-or-id>] [--data <dir>] [--limit n] [--templates <file.json>] ' +
    '[--classnames <file.tsv>] [--provider auto|cpu|cuda] [--threads n] [--batch n] [--json]',
  options: {
    ...commonOptions,
    ...modelOptions,
    limit: { type: 'string' },
    templates: { type: 'string' },
    classnames: { type: 'string' },
    batch: { type: 'string' },
  },
  async run(context) {
    if (context.positionals.length !== 1) throw new CliError(`give exactly one dataset folder (usage: ${this.usage})`, 2);
    const limit = numberOption(context, 'limit');
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new CliError(`--limit must be a positive whole number, got ${limit}`, 2);
    const batch = numberOption(context, 'batch');
    if (batch !== undefined && (!Number.isInteger(batch) || batch < 1)) throw new CliError(`--batch must be a positive whole number, got ${batch}`, 2);

    // The dataset is checked before the model is opened, so a wrong folder fails at once.
    const templatesFile = stringOption(context, 'templates');
    const classNamesFile = stringOption(context, 'classnames');
    let dataset: EvalDataset;
    try {
      dataset = await loadDataset(context.positionals[0]!, {
        ...(limit !== undefined ? { limit } : {}),
        ...(templatesFile !== undefined ? { templatesFile } : {}),
        ...(classNamesFile !== undefined ? { classNamesFile } : {}),
      });
    } catch (error) {
      if (error instanceof DatasetError) throw new CliError(error.message, 1);
      throw error;
    }

    const model = await openModelArgument(context);
    try {
      let last = 0;
      const result = await evaluate(model, dataset, {
        ...(batch !== undefined ? { imageBatch: batch } : {}),
        onProgress: (progress) => {
          if (context.json || (Date.now() - last < 1000 && progress.done < progress.total)) return;
          last = Date.now();
          context.stderr.write(`${progressLine(progress)}\n`);
        },
      });
      if (context.json) writeJson(context, result);
      else context.stdout.write(formatResult(result));
      return 0;
    } finally {
      await model.dispose();
    }
  },
};

function progressLine(progress: EvalProgress): string {
  return progress.phase === 'scoring' ? 'scoring...' : `embedding ${progress.phase}: ${progress.done}/${progress.total}`;
}

function percent(value: number): string {
  return Number.isFinite(value) ? (value * 100).toFixed(1) : '-';
}

/** A small table, percentages as in the papers. */
export function formatResult(result: EvalResult): string {
  const lines: string[] = [];
  const { counts } = result;
  const what =
    result.dataset.kind === 'flickr8k'
      ? `${counts.images} images, ${counts.texts} captions`
      : `${counts.images} images, ${counts.classes} classes x ${counts.templates} prompt templates`;
  lines.push(`${result.dataset.name} (${result.dataset.kind}): ${what}`);
  lines.push(`model ${result.model.dir} (${result.model.layout}, fingerprint ${result.model.fingerprint}, ${result.model.provider ?? 'unknown'} provider)`);
  lines.push('');
  const textQuery = result.dataset.kind === 'flickr8k' ? 'text->image' : 'class->image';
  const imageQuery = result.dataset.kind === 'flickr8k' ? 'image->text' : 'image->class';
  const row = (label: string, m: RetrievalMetrics): string =>
    `${label.padEnd(14)}${[m.recallAt1, m.recallAt5, m.recallAt10, m.mrr].map((v) => percent(v).padStart(7)).join('')}${String(m.queries).padStart(9)}`;
  lines.push(`${''.padEnd(14)}${['R@1', 'R@5', 'R@10', 'MRR'].map((h) => h.padStart(7)).join('')}${'queries'.padStart(9)}`);
  lines.push(row(textQuery, result.textToImage));
  lines.push(row(imageQuery, result.imageToText));
  if (result.zeroShot) {
    lines.push('');
    lines.push(`zero-shot accuracy: top-1 ${percent(result.zeroShot.top1)}%, top-5 ${percent(result.zeroShot.top5)}%`);
  }
  for (const n of result.ndcg10 ?? []) {
    const part = (label: string, s: { mean: number | null; queries: number }): string =>
      `${label} ${s.mean === null ? '-' : s.mean.toFixed(3)} (${s.queries} queries)`;
    lines.push('');
    lines.push(`nDCG@10, ${n.source} judgements (${n.pairs} judged pairs; ${n.gain} gain; ${n.relevance}):`);
    lines.push(`  ${part('image->text', n.imageToText)}, ${part('text->image', n.textToImage)}`);
  }
  const s = result.seconds;
  lines.push('');
  lines.push(`${s.total.toFixed(1)} s (images ${s.images.toFixed(1)} s, texts ${s.texts.toFixed(1)} s, scoring ${s.scoring.toFixed(1)} s)`);
  return `${lines.join('\n')}\n`;
}
