import { readFileSync } from 'node:fs';
import { errorMessage } from '@shared/errors';
import { bundledModelsPath } from '../resources';

/**
 * The built-in caption bank: everyday concepts, grouped by category, that Describe ranks for a photo.
 * `concepts` is every category's list in file order, so an index into it is stable for a given file.
 */
export interface CaptionBank {
  version: 1;
  categories: Readonly<Record<string, readonly string[]>>;
  concepts: readonly string[];
}

export class CaptionBankError extends Error {
  /** One line per problem, each starting with the JSON path of the bad value. */
  readonly issues: string[];

  constructor(message: string, issues: string[] = []) {
    super(message);
    this.name = 'CaptionBankError';
    this.issues = issues;
  }
}

/** Longer than any sensible caption; CLIP reads at most 77 tokens anyway. */
export const MAX_CONCEPT_LENGTH = 120;
const CATEGORY_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Validates parsed JSON as a caption bank: `{version: 1, categories: {name: [concept, ...]}}`, plus optional
 * `description` and `sources` (category -> where its names came from) that are documentation only.
 * Concepts must be trimmed, non-empty, single-spaced and unique ignoring case across the whole bank (a duplicate
 * would split its probability between two identical entries). Throws a CaptionBankError listing every problem.
 */
export function parseCaptionBank(data: unknown, source = 'caption bank'): CaptionBank {
  if (!isObject(data)) throw new CaptionBankError(`${source} is not a JSON object`, ['$: must be an object']);
  const issues: string[] = [];
  if (data.version !== 1) issues.push(`version: must be 1 (got ${JSON.stringify(data.version)})`);
  if (data.description !== undefined && typeof data.description !== 'string') issues.push('description: must be a string');
  if (data.sources !== undefined) {
    if (!isObject(data.sources)) issues.push('sources: must be an object');
    else for (const [key, value] of Object.entries(data.sources)) {
      if (typeof value !== 'string') issues.push(`sources.${key}: must be a string`);
    }
  }
  const categories: Record<string, string[]> = {};
  const concepts: string[] = [];
  const seen = new Map<string, string>();
  if (!isObject(data.categories) || Object.keys(data.categories).length === 0) {
    issues.push('categories: must be a non-empty object');
  } else {
    for (const [name, list] of Object.entries(data.categories)) {
      const where = `categories.${name}`;
      if (!CATEGORY_NAME.test(name)) issues.push(`${where}: category names are lower-case words joined by hyphens`);
      if (!Array.isArray(list) || list.length === 0) {
        issues.push(`${where}: must be a non-empty array of strings`);
        continue;
      }
      const kept: string[] = [];
      list.forEach((concept: unknown, i) => {
        const at = `${where}[${i}]`;
        const problem = conceptProblem(concept);
        if (problem) {
          issues.push(`${at}: ${problem}`);
          return;
        }
        const text = concept as string;
        const first = seen.get(text.toLowerCase());
        if (first !== undefined) {
          issues.push(`${at}: ${JSON.stringify(text)} duplicates ${first}`);
          return;
        }
        seen.set(text.toLowerCase(), at);
        kept.push(text);
        concepts.push(text);
      });
      categories[name] = kept;
    }
  }
  if (issues.length > 0) {
    const shown = issues.slice(0, 20).join('\n  ');
    const more = issues.length > 20 ? `\n  … and ${issues.length - 20} more` : '';
    throw new CaptionBankError(`${source} is invalid:\n  ${shown}${more}`, issues);
  }
  return { version: 1, categories, concepts };
}

/** A bank built in code (tests, or a caller with its own vocabulary); validated like the file. */
export function captionBankFrom(categories: Record<string, readonly string[]>): CaptionBank {
  return parseCaptionBank({ version: 1, categories }, 'caption bank');
}

let bundled: CaptionBank | undefined;

/** Reads and validates a caption bank file (default: the bundled models/caption-bank.json, read once). */
export function loadCaptionBank(file?: string): CaptionBank {
  if (file === undefined && bundled) return bundled;
  const path = file ?? bundledModelsPath('caption-bank.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CaptionBankError(`cannot read the caption bank ${path}: ${errorMessage(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CaptionBankError(`the caption bank ${path} is not valid JSON: ${errorMessage(err)}`);
  }
  const bank = parseCaptionBank(data, `the caption bank ${path}`);
  if (file === undefined) bundled = bank;
  return bank;
}

function conceptProblem(concept: unknown): string | null {
  if (typeof concept !== 'string' || concept.length === 0) return 'must be a non-empty string';
  if (concept !== concept.trim().replace(/\s+/g, ' ')) return `${JSON.stringify(concept)} has stray whitespace`;
  if (concept.length > MAX_CONCEPT_LENGTH) return `longer than ${MAX_CONCEPT_LENGTH} characters`;
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
