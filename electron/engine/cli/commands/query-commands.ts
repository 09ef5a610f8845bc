import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SearchFilters, SearchQuery, SearchResult, SearchSort } from '@shared/types';
import { Catalog } from '../../catalog/catalog';
import type { ClipModel } from '../../clip/clip-model';
import type { DescribeService } from '../../describe/describe-service';
import { createModelServices } from '../../model-services';
import { ModelManager } from '../../models/model-manager';
import type { SearchService } from '../../search/search-service';
import { SettingsService, defaultSettings } from '../../settings/settings-service';
import { catalogModelId } from '../../start-engine';
import { commonOptions, CliError, numberOption, stringOption, writeJson, type CliCommand, type CliContext } from '../command';
import { dataDirArgument, modelOptions, openModelArgument } from '../model-argument';

/*
 * `shoebox search | similar | describe`: queries against an indexed library, from the command line. They open the
 * catalog and the model directly (no scanning, no indexing), so they are quick and never change the library.
 */

const filterOptions = {
  k: { type: 'string' },
  folder: { type: 'string', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string', multiple: true },
  camera: { type: 'string' },
  sort: { type: 'string' },
  threshold: { type: 'string' },
  all: { type: 'boolean', default: false },
  'no-group': { type: 'boolean', default: false },
  diversify: { type: 'boolean', default: false },
  'no-text': { type: 'boolean', default: false },
} as const;

const FILTER_USAGE =
  '[--k n] [--folder <path>]... [--from <date>] [--to <date>] [--format jpeg]... [--camera <text>] ' +
  '[--sort relevance|date-desc|date-asc] [--threshold <cosine>] [--all] [--no-group] [--diversify] [--no-text] ' +
  '[--data <dir>] [--model <dir-or-id>] [--json]';

export interface QueryEngine {
  catalog: Catalog;
  model: ClipModel;
  search: SearchService;
  describe: DescribeService;
  modelId: string;
  close(): Promise<void>;
}

/** Opens the library's catalog and the model its vectors were made with, for queries only. */
export async function openQueryEngine(context: CliContext): Promise<QueryEngine> {
  const dataDir = dataDirArgument(context);
  if (!existsSync(path.join(dataDir, 'catalog.sqlite'))) {
    throw new CliError(`no Shoebox library in ${dataDir} (add a folder with 'shoebox index <folder> --data ${dataDir}')`);
  }
  const catalog = Catalog.openInDataDir(dataDir);
  try {
    const stored = SettingsService.stored(catalog.settings);
    const argument = stringOption(context, 'model') ?? stored.model ?? new ModelManager({ dataDir }).defaultId;
    const isFolder = existsSync(argument) && statSync(argument).isDirectory();
    const model = await openModelArgument({ ...context, values: { ...context.values, model: argument } });
    const modelId = catalogModelId(argument, isFolder, model);
    if (!catalog.embeddings.getModel(modelId)) {
      await model.dispose();
      const indexed = catalog.embeddings.searchModel();
      throw new CliError(
        indexed
          ? `the library was indexed with ${indexed.id}, not ${modelId}: pass that model with --model, or index again`
          : `nothing in ${dataDir} is indexed yet (run 'shoebox index <folder> --data ${dataDir}')`,
      );
    }
    const settings = new SettingsService(catalog.settings, defaultSettings({ provider: 'auto', threads: 0, model: argument }));
    // A one-shot command records its query at once (no typing to wait out).
    const { search, describe } = await createModelServices({ catalog, model, modelId, dataDir, settings: () => settings.get(), historyDelayMs: 0 });
    await search.warmUp();
    return {
      catalog,
      model,
      search,
      describe,
      modelId,
      async close() {
        search.close();
        await model.dispose();
        catalog.close();
      },
    };
  } catch (error) {
    catalog.close();
    throw error;
  }
}

function queryOptions(context: CliContext, catalog: Catalog): Omit<SearchQuery, 'text' | 'photoIds' | 'imageIds'> {
  const k = numberOption(context, 'k') ?? 20;
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new CliError('--k must be a whole number from 1 to 1000', 2);
  const filters: SearchFilters = {};
  const folders = context.values.folder as string[] | undefined;
  if (folders?.length) {
    filters.folderIds = folders.map((f) => {
      const folder = catalog.folders.getByPath(path.resolve(f)) ?? (/^\d+$/.test(f) ? catalog.folders.get(Number(f)) : undefined);
      if (!folder) throw new CliError(`${f} is not a library folder (shoebox status lists them)`, 2);
      return folder.id;
    });
  }
  const from = stringOption(context, 'from');
  const to = stringOption(context, 'to');
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) throw new CliError(`--${name} must be a date like 2019, 2019-07 or 2019-07-14`, 2);
  }
  if (from) filters.takenFrom = from;
  if (to) filters.takenTo = to;
  const formats = context.values.format as string[] | undefined;
  if (formats?.length) filters.formats = formats.flatMap((f) => f.split(',')).map((f) => f.trim().toLowerCase()).filter(Boolean);
  const camera = stringOption(context, 'camera');
  if (camera) filters.camera = camera;
  const sort = stringOption(context, 'sort') ?? 'relevance';
  if (sort !== 'relevance' && sort !== 'date-desc' && sort !== 'date-asc') throw new CliError('--sort must be relevance, date-desc or date-asc', 2);
  const threshold = numberOption(context, 'threshold');
  if (threshold !== undefined && (threshold < -1 || threshold > 1)) throw new CliError('--threshold is a cosine, from -1 to 1', 2);
  return {
    limit: k,
    sort: sort as SearchSort,
    ...(Object.keys(filters).length > 0 ? { filters } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(context.values.all ? { relevantOnly: false } : {}),
    ...(context.values['no-group'] ? { groupDuplicates: false } : {}),
    ...(context.values.diversify ? { diversify: true } : {}),
    ...(context.values['no-text'] ? { useText: false } : {}),
  };
}

function printResults(context: CliContext, result: SearchResult): void {
  if (context.json) {
    writeJson(
      context,
      result.hits.map((h) => ({ path: h.photo.path, score: h.score, ...(h.duplicateIds.length ? { duplicates: h.duplicateIds.length } : {}) })),
    );
    return;
  }
  if (result.hits.length === 0) {
    context.stdout.write(
      result.cutoff
        ? `no photo is a good match (best scores fall below ${result.cutoff.score.toFixed(3)}); --all shows the closest anyway\n`
        : 'no photos\n',
    );
    return;
  }
  for (const hit of result.hits) {
    const extra = hit.duplicateIds.length ? `  (+${hit.duplicateIds.length} near-duplicate${hit.duplicateIds.length > 1 ? 's' : ''})` : '';
    context.stdout.write(`${hit.score === null ? '' : `${hit.score.toFixed(3)}  `}${hit.photo.path}${extra}\n`);
  }
}

/** A library photo's id for a path, or undefined for a file outside the library. */
function libraryPhoto(catalog: Catalog, file: string): number | undefined {
  const photo = catalog.photos.getByPath(path.resolve(file));
  return photo?.state === 'indexed' ? photo.id : undefined;
}

function readImage(file: string): Buffer {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
  if (!statSync(file).isFile()) throw new CliError(`${file} is not a file`);
  return readFileSync(file);
}

export const searchCommand: CliCommand = {
  name: 'search',
  summary: "find photos by description: shoebox search \"beach at sunset -people\"",
  usage: `shoebox search "<text>" ${FILTER_USAGE}`,
  options: { ...commonOptions, ...modelOptions, ...filterOptions },
  async run(context) {
    const text = context.positionals.join(' ').trim();
    if (text === '') throw new CliError(`no query given (usage: ${this.usage})`, 2);
    const engine = await openQueryEngine(context);
    try {
      printResults(context, await engine.search.search({ text, ...queryOptions(context, engine.catalog) }));
      return 0;
    } finally {
      await engine.close();
    }
  },
};

export const similarCommand: CliCommand = {
  name: 'similar',
  summary: 'find photos like an image: a library photo (left out of the results) or any image file (not added)',
  usage: `shoebox similar <image>... [--text "<modifier>"] [--text-weight 0..1] ${FILTER_USAGE}`,
  options: { ...commonOptions, ...modelOptions, ...filterOptions, text: { type: 'string' }, 'text-weight': { type: 'string' } },
  async run(context) {
    if (context.positionals.length === 0) throw new CliError(`no image given (usage: ${this.usage})`, 2);
    const textWeight = numberOption(context, 'text-weight');
    if (textWeight !== undefined && (textWeight < 0 || textWeight > 1)) throw new CliError('--text-weight must be from 0 to 1', 2);
    const engine = await openQueryEngine(context);
    try {
      const photoIds: number[] = [];
      const imageIds: string[] = [];
      for (const file of context.positionals) {
        const id = libraryPhoto(engine.catalog, file);
        if (id !== undefined) photoIds.push(id);
        else imageIds.push((await engine.search.upload(readImage(file)).catch((error: unknown) => {
          throw new CliError(`${file}: ${(error as Error).message}`);
        })).imageId);
      }
      const text = stringOption(context, 'text');
      const query: SearchQuery = {
        photoIds,
        imageIds,
        ...(text ? { text } : {}),
        ...(textWeight !== undefined ? { textWeight } : {}),
        ...queryOptions(context, engine.catalog),
      };
      printResults(context, await engine.search.search(query));
      return 0;
    } finally {
      await engine.close();
    }
  },
};

export const describeCommand: CliCommand = {
  name: 'describe',
  summary: 'rank captions for an image (a library photo or any image file): what is in it',
  usage: 'shoebox describe <image> [--k n] [--data <dir>] [--model <dir-or-id>] [--json]',
  options: { ...commonOptions, ...modelOptions, k: { type: 'string' } },
  async run(context) {
    if (context.positionals.length !== 1) throw new CliError(`give one image (usage: ${this.usage})`, 2);
    const k = numberOption(context, 'k') ?? 10;
    if (!Number.isInteger(k) || k < 1 || k > 100) throw new CliError('--k must be a whole number from 1 to 100', 2);
    const file = context.positionals[0]!;
    const engine = await openQueryEngine(context);
    try {
      const photoId = libraryPhoto(engine.catalog, file);
      const vector =
        photoId !== undefined
          ? engine.search.vectorOf({ photoId })
          : engine.search.vectorOf({
              imageId: (await engine.search.upload(readImage(file)).catch((error: unknown) => {
                throw new CliError(`${file}: ${(error as Error).message}`);
              })).imageId,
            });
      if (!engine.describe.isReady && !context.json) context.stderr.write('preparing the caption bank for this model (once) ...\n');
      const captions = await engine.describe.describe(vector, k);
      if (context.json) writeJson(context, captions.map((c) => ({ caption: c.caption, probability: c.probability, source: c.source })));
      else for (const c of captions) context.stdout.write(`${(c.probability * 100).toFixed(1).padStart(5)}%  ${c.caption}${c.source === 'bank' ? '' : `  (${c.source})`}\n`);
      return 0;
    } finally {
      await engine.close();
    }
  },
};
