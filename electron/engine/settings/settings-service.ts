import type { Settings } from '@shared/types';
import type { SettingsRepository } from '../catalog/settings-repository';

/** Lowest cosine a result may have unless the user sets one: none (the per-query cut-off decides). */
export const DEFAULT_THRESHOLD = -1;

export type StoredSettings = Partial<Settings>;

/** What a new library starts with; the runtime choices come from how the engine was started. */
export function defaultSettings(runtime: Pick<Settings, 'provider' | 'threads' | 'model'>): Settings {
  return { threshold: DEFAULT_THRESHOLD, textFusion: true, diversify: false, groupDuplicates: true, ...runtime };
}

/**
 * The user's settings, stored as JSON values in the catalog's `settings` table, so they travel with the library.
 * Model, provider and threads are read once at start (they decide how the engine is built); the search settings
 * apply to the next query.
 */
export class SettingsService {
  private current: Settings;

  constructor(
    private readonly repository: SettingsRepository,
    /** What the engine was started with, used where the user has not chosen. */
    defaults: Settings,
  ) {
    this.current = { ...defaults, ...SettingsService.stored(repository) };
  }

  /** The stored values only (the engine reads model/provider/threads before it is built). */
  static stored(repository: SettingsRepository): StoredSettings {
    return sanitize(repository.readAll());
  }

  get(): Settings {
    return { ...this.current };
  }

  update(patch: StoredSettings): Settings {
    const clean = sanitize(patch as Record<string, unknown>);
    this.repository.write(clean);
    this.current = { ...this.current, ...clean };
    return this.get();
  }
}

/** Keeps only known keys with values of the right type (the contract validates requests; this guards the file). */
function sanitize(values: Record<string, unknown>): StoredSettings {
  const out: StoredSettings = {};
  const { threshold, textFusion, diversify, groupDuplicates, provider, threads, model } = values;
  if (typeof threshold === 'number' && threshold >= -1 && threshold <= 1) out.threshold = threshold;
  if (typeof textFusion === 'boolean') out.textFusion = textFusion;
  if (typeof diversify === 'boolean') out.diversify = diversify;
  if (typeof groupDuplicates === 'boolean') out.groupDuplicates = groupDuplicates;
  if (provider === 'auto' || provider === 'cpu' || provider === 'cuda') out.provider = provider;
  if (typeof threads === 'number' && Number.isInteger(threads) && threads >= 0) out.threads = threads;
  if (typeof model === 'string' && model !== '') out.model = model;
  return out;
}
