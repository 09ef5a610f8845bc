import { readFileSync } from 'node:fs';
import type { PreprocessConfig } from '../clip/preprocess-config';
import { bundledModelsPath } from '../resources';

/**
 * Where a value in the manifest came from (see ../shared/models/manifest-facts.md):
 * `confirmed` seen on the model page or in the owner's code; `3P` pinned in independent public code;
 * `derived` worked out from confirmed facts; `unconfirmed` not found (the value is then null or a best guess).
 * A field with no status entry is the project's own choice (ids, names, test manifests).
 */
export type FactStatus = 'confirmed' | '3P' | 'derived' | 'unconfirmed';
export const FACT_STATUSES: readonly FactStatus[] = ['confirmed', '3P', 'derived', 'unconfirmed'];

/**
 * How the files sit in the model folder:
 * `hf` onnx/vision_model*.onnx + onnx/text_model*.onnx (transformers.js exports);
 * `openclip` visual/model.onnx + textual/model.onnx + config.json (Immich exports);
 * `flat` vision_model.onnx + text_model.onnx beside preprocessor_config.json.
 */
export type ModelLayout = 'hf' | 'openclip' | 'flat';
export const MODEL_LAYOUTS: readonly ModelLayout[] = ['hf', 'openclip', 'flat'];

export type FileRole = 'vision' | 'text' | 'tokenizer' | 'preprocess' | 'config';
export const FILE_ROLES: readonly FileRole[] = ['vision', 'text', 'tokenizer', 'preprocess', 'config'];

export type TokenizerKind = 'clip-bpe';
export const TOKENIZER_KINDS: readonly TokenizerKind[] = ['clip-bpe'];

export interface ModelFile {
  /** Relative POSIX path inside the model folder, exactly where the layout expects it. */
  path: string;
  role: FileRole;
  url: string;
  /** Exact byte count, or null when no source shows it. Never estimated. */
  size: number | null;
  /** Lower-case hex SHA-256, or null when no source shows it. Never invented. */
  sha256: string | null;
  status: { size?: FactStatus; sha256?: FactStatus };
}

export type ModelFactKey =
  | 'embeddingDim'
  | 'contextLength'
  | 'tokenizer'
  | 'padTokenId'
  | 'licence'
  | 'preprocess'
  | 'approxDownloadMB';
export const MODEL_FACT_KEYS: readonly ModelFactKey[] = [
  'embeddingDim',
  'contextLength',
  'tokenizer',
  'padTokenId',
  'licence',
  'preprocess',
  'approxDownloadMB',
];

export interface ModelEntry {
  /** Folder name under `<dataDir>/models/` and the id stored with every vector. */
  id: string;
  name: string;
  description: string;
  layout: ModelLayout;
  /** Where the weights come from (informative; the URLs are authoritative). */
  repo: string;
  embeddingDim: number;
  contextLength: number;
  tokenizer: TokenizerKind;
  /** Text padding id, or null when unconfirmed (use the model's tokenizer config). */
  padTokenId: number | null;
  licence: string;
  preprocess: PreprocessConfig;
  /** For the UI before a download starts; never used for verification. */
  approxDownloadMB: number | null;
  status: Partial<Record<ModelFactKey, FactStatus>>;
  notes: string[];
  files: ModelFile[];
}

export interface ModelManifest {
  schemaVersion: 1;
  default: string;
  models: ModelEntry[];
}

/** How a file will be checked: a pinned SHA-256, a pinned size plus trust-on-first-use SHA-256, or trust on first use only. */
export type VerificationPolicy = 'sha256' | 'size+tofu' | 'tofu';

export function verificationPolicy(file: Pick<ModelFile, 'size' | 'sha256'>): VerificationPolicy {
  if (file.sha256 !== null) return 'sha256';
  if (file.size !== null) return 'size+tofu';
  return 'tofu';
}

export class ManifestError extends Error {
  readonly code: 'INVALID_MANIFEST' | 'UNKNOWN_MODEL';
  /** One line per problem, each starting with the JSON path of the bad value. */
  readonly issues: string[];

  constructor(code: 'INVALID_MANIFEST' | 'UNKNOWN_MODEL', message: string, issues: string[] = []) {
    super(message);
    this.name = 'ManifestError';
    this.code = code;
    this.issues = issues;
  }
}

/** The layout's required files, as regular expressions over the relative paths, with a readable name. */
const LAYOUT_REQUIREMENTS: Record<ModelLayout, ReadonlyArray<{ pattern: RegExp; name: string }>> = {
  hf: [
    { pattern: /^onnx\/vision_model[^/]*\.onnx$/, name: 'onnx/vision_model*.onnx' },
    { pattern: /^onnx\/text_model[^/]*\.onnx$/, name: 'onnx/text_model*.onnx' },
  ],
  openclip: [
    { pattern: /^visual\/model\.onnx$/, name: 'visual/model.onnx' },
    { pattern: /^textual\/model\.onnx$/, name: 'textual/model.onnx' },
    { pattern: /^config\.json$/, name: 'config.json' },
  ],
  flat: [
    { pattern: /^vision_model\.onnx$/, name: 'vision_model.onnx' },
    { pattern: /^text_model\.onnx$/, name: 'text_model.onnx' },
    { pattern: /^preprocessor_config\.json$/, name: 'preprocessor_config.json' },
  ],
};

/** Human description of what a layout needs, for error messages. */
export function describeLayout(layout: ModelLayout): string {
  return LAYOUT_REQUIREMENTS[layout].map((r) => r.name).join(' + ');
}

/** Whether a list of relative paths satisfies a layout. */
export function satisfiesLayout(layout: ModelLayout, paths: readonly string[]): boolean {
  return LAYOUT_REQUIREMENTS[layout].every((r) => paths.some((p) => r.pattern.test(p)));
}

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects problems instead of stopping at the first, so one run shows everything wrong with a manifest. */
class Checker {
  readonly issues: string[] = [];

  fail(at: string, problem: string): void {
    this.issues.push(`${at}: ${problem}`);
  }

  string(obj: Json, key: string, at: string): string {
    const value = obj[key];
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail(`${at}.${key}`, 'must be a non-empty string');
      return '';
    }
    return value;
  }

  oneOf<T extends string>(obj: Json, key: string, at: string, allowed: readonly T[]): T {
    const value = obj[key];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(`${at}.${key}`, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${JSON.stringify(value)})`);
      return allowed[0] as T;
    }
    return value as T;
  }

  positiveInt(obj: Json, key: string, at: string, nullable: boolean): number | null {
    const value = obj[key];
    if (nullable && value === null) return null;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      this.fail(`${at}.${key}`, `must be a positive integer${nullable ? ' or null' : ''} (got ${JSON.stringify(value)})`);
      return null;
    }
    return value;
  }

  nonNegativeIntOrNull(obj: Json, key: string, at: string): number | null {
    const value = obj[key];
    if (value === null) return null;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.fail(`${at}.${key}`, `must be a non-negative integer or null (got ${JSON.stringify(value)})`);
      return null;
    }
    return value;
  }

  statusMap<K extends string>(obj: Json, at: string, keys: readonly K[]): Partial<Record<K, FactStatus>> {
    const raw = obj.status;
    if (raw === undefined) return {};
    if (!isObject(raw)) {
      this.fail(`${at}.status`, 'must be an object mapping field names to a status');
      return {};
    }
    const out: Partial<Record<K, FactStatus>> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (!(keys as readonly string[]).includes(key)) {
        this.fail(`${at}.status.${key}`, `is not a field that carries a status (allowed: ${keys.join(', ')})`);
        continue;
      }
      if (typeof value !== 'string' || !(FACT_STATUSES as readonly string[]).includes(value)) {
        this.fail(`${at}.status.${key}`, `must be one of ${FACT_STATUSES.join(', ')} (got ${JSON.stringify(value)})`);
        continue;
      }
      out[key as K] = value as FactStatus;
    }
    return out;
  }

  triple(obj: Json, key: string, at: string, positive: boolean): [number, number, number] {
    const value = obj[key];
    if (
      !Array.isArray(value) ||
      value.length !== 3 ||
      !value.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0))
    ) {
      this.fail(`${at}.${key}`, `must be an array of 3 ${positive ? 'positive ' : ''}numbers (got ${JSON.stringify(value)})`);
      return [0, 0, 0];
    }
    return [value[0] as number, value[1] as number, value[2] as number];
  }
}

function checkPreprocess(c: Checker, raw: unknown, at: string): PreprocessConfig {
  if (!isObject(raw)) {
    c.fail(at, 'must be an object { size, resizeMode, interpolation, mean, std }');
    return { size: 0, resizeMode: 'crop', interpolation: 'bicubic', mean: [0, 0, 0], std: [1, 1, 1] };
  }
  return {
    size: c.positiveInt(raw, 'size', at, false) ?? 0,
    resizeMode: c.oneOf(raw, 'resizeMode', at, ['crop', 'squash'] as const),
    interpolation: c.oneOf(raw, 'interpolation', at, ['bicubic', 'bilinear', 'nearest', 'lanczos'] as const),
    mean: c.triple(raw, 'mean', at, false),
    std: c.triple(raw, 'std', at, true),
  };
}

function checkFile(c: Checker, raw: unknown, at: string): ModelFile | null {
  if (!isObject(raw)) {
    c.fail(at, 'must be an object { path, role, url, size, sha256, status }');
    return null;
  }
  const path = c.string(raw, 'path', at);
  if (path && (path.startsWith('/') || path.includes('\\') || /^[a-zA-Z]:/.test(path) || path.split('/').some((s) => s === '..' || s === '.' || s === ''))) {
    c.fail(`${at}.path`, `must be a relative POSIX path inside the model folder without '.', '..' or empty segments (got ${JSON.stringify(path)})`);
  }
  if (path.endsWith('.part') || path.endsWith('.part.json') || path.startsWith('.shoebox')) {
    c.fail(`${at}.path`, `uses a name reserved for download bookkeeping (got ${JSON.stringify(path)})`);
  }
  const role = c.oneOf(raw, 'role', at, FILE_ROLES);
  const url = c.string(raw, 'url', at);
  if (url) {
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'https:' && protocol !== 'http:') c.fail(`${at}.url`, `must be an http(s) URL (got ${JSON.stringify(url)})`);
  }
  if (!('size' in raw)) c.fail(`${at}.size`, 'is required (use null when no source shows it)');
  if (!('sha256' in raw)) c.fail(`${at}.sha256`, 'is required (use null when no source shows it)');
  const size = 'size' in raw ? c.positiveInt(raw, 'size', at, true) : null;
  let sha256: string | null = null;
  if ('sha256' in raw && raw.sha256 !== null) {
    if (typeof raw.sha256 !== 'string' || !SHA256_PATTERN.test(raw.sha256)) {
      c.fail(`${at}.sha256`, `must be 64 lower-case hex characters or null (got ${JSON.stringify(raw.sha256)})`);
    } else {
      sha256 = raw.sha256;
    }
  }
  const status = c.statusMap(raw, at, ['size', 'sha256'] as const);
  // A checksum or size is either backed by a source or null: an 'unconfirmed' value would be an invented one.
  for (const key of ['size', 'sha256'] as const) {
    const value = key === 'size' ? size : sha256;
    const st = status[key];
    if (value !== null && st === 'unconfirmed') {
      c.fail(`${at}.${key}`, `is marked unconfirmed but has a value; an unconfirmed ${key} must be null`);
    }
    if (value === null && raw[key] === null && st !== undefined && st !== 'unconfirmed') {
      c.fail(`${at}.status.${key}`, `is '${st}' but ${key} is null; a missing value can only be 'unconfirmed'`);
    }
  }
  return { path, role, url, size, sha256, status };
}

function checkModel(c: Checker, raw: unknown, at: string): ModelEntry | null {
  if (!isObject(raw)) {
    c.fail(at, 'must be an object');
    return null;
  }
  const id = c.string(raw, 'id', at);
  if (id && !ID_PATTERN.test(id)) {
    c.fail(`${at}.id`, `must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit (got ${JSON.stringify(id)})`);
  }
  const where = id ? `${at} (${id})` : at;
  const layout = c.oneOf(raw, 'layout', where, MODEL_LAYOUTS);
  const notes = raw.notes === undefined ? [] : raw.notes;
  if (!Array.isArray(notes) || !notes.every((n) => typeof n === 'string')) c.fail(`${where}.notes`, 'must be an array of strings');
  const approx = raw.approxDownloadMB;
  if (approx !== undefined && approx !== null && (typeof approx !== 'number' || !(approx > 0))) {
    c.fail(`${where}.approxDownloadMB`, 'must be a positive number or null');
  }
  const entry: ModelEntry = {
    id,
    name: c.string(raw, 'name', where),
    description: typeof raw.description === 'string' ? raw.description : '',
    layout,
    repo: typeof raw.repo === 'string' ? raw.repo : '',
    embeddingDim: c.positiveInt(raw, 'embeddingDim', where, false) ?? 0,
    contextLength: c.positiveInt(raw, 'contextLength', where, false) ?? 0,
    tokenizer: c.oneOf(raw, 'tokenizer', where, TOKENIZER_KINDS),
    padTokenId: raw.padTokenId === undefined ? null : c.nonNegativeIntOrNull(raw, 'padTokenId', where),
    licence: c.string(raw, 'licence', where),
    preprocess: checkPreprocess(c, raw.preprocess, `${where}.preprocess`),
    approxDownloadMB: typeof approx === 'number' ? approx : null,
    status: c.statusMap(raw, where, MODEL_FACT_KEYS),
    notes: Array.isArray(notes) ? notes.filter((n): n is string => typeof n === 'string') : [],
    files: [],
  };
  if (!Array.isArray(raw.files) || raw.files.length === 0) {
    c.fail(`${where}.files`, 'must be a non-empty array');
    return entry;
  }
  entry.files = raw.files
    .map((f, i) => checkFile(c, f, `${where}.files[${i}]`))
    .filter((f): f is ModelFile => f !== null);
  const seen = new Set<string>();
  for (const file of entry.files) {
    // Case-insensitive: the folder may live on a case-insensitive file system (macOS, Windows).
    const key = file.path.toLowerCase();
    if (seen.has(key)) c.fail(`${where}.files`, `lists ${JSON.stringify(file.path)} twice`);
    seen.add(key);
  }
  const paths = entry.files.map((f) => f.path);
  for (const req of LAYOUT_REQUIREMENTS[layout]) {
    if (!paths.some((p) => req.pattern.test(p))) {
      c.fail(`${where}.files`, `layout '${layout}' needs ${req.name} but no file matches`);
    }
  }
  for (const role of ['vision', 'text'] as const) {
    const count = entry.files.filter((f) => f.role === role).length;
    if (count !== 1) c.fail(`${where}.files`, `must have exactly one file with role '${role}' (found ${count})`);
  }
  return entry;
}

/** Validates parsed JSON as a manifest. Throws a ManifestError listing every problem. */
export function parseManifest(data: unknown, source = 'model manifest'): ModelManifest {
  const c = new Checker();
  if (!isObject(data)) throw new ManifestError('INVALID_MANIFEST', `${source} is not a JSON object`, ['$: must be an object']);
  if (data.schemaVersion !== 1) c.fail('schemaVersion', `must be 1 (got ${JSON.stringify(data.schemaVersion)})`);
  const models: ModelEntry[] = [];
  if (!Array.isArray(data.models) || data.models.length === 0) {
    c.fail('models', 'must be a non-empty array');
  } else {
    data.models.forEach((m, i) => {
      const entry = checkModel(c, m, `models[${i}]`);
      if (entry) models.push(entry);
    });
  }
  const ids = new Set<string>();
  for (const m of models) {
    if (m.id && ids.has(m.id)) c.fail('models', `id ${JSON.stringify(m.id)} is used twice`);
    ids.add(m.id);
  }
  const defaultId = typeof data.default === 'string' ? data.default : '';
  if (!defaultId) c.fail('default', 'must name the default model id');
  else if (models.length > 0 && !ids.has(defaultId)) c.fail('default', `names ${JSON.stringify(defaultId)}, which is not a model in this manifest`);
  if (c.issues.length > 0) {
    const shown = c.issues.slice(0, 20).join('\n  ');
    const more = c.issues.length > 20 ? `\n  … and ${c.issues.length - 20} more` : '';
    throw new ManifestError('INVALID_MANIFEST', `${source} is invalid:\n  ${shown}${more}`, c.issues);
  }
  return { schemaVersion: 1, default: defaultId, models };
}

/** Reads and validates a manifest file (default: the bundled models/manifest.json). */
export function loadManifest(file: string = bundledModelsPath('manifest.json')): ModelManifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ManifestError('INVALID_MANIFEST', `cannot read the model manifest ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ManifestError('INVALID_MANIFEST', `the model manifest ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseManifest(data, `the model manifest ${file}`);
}

export function findModel(manifest: ModelManifest, id: string): ModelEntry | undefined {
  return manifest.models.find((m) => m.id === id);
}

export function requireModel(manifest: ModelManifest, id: string): ModelEntry {
  const model = findModel(manifest, id);
  if (!model) {
    throw new ManifestError(
      'UNKNOWN_MODEL',
      `unknown model ${JSON.stringify(id)}; known models: ${manifest.models.map((m) => m.id).join(', ')}`,
    );
  }
  return model;
}

export function defaultModel(manifest: ModelManifest): ModelEntry {
  return requireModel(manifest, manifest.default);
}
