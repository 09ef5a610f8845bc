/**
 * The shapes of request payloads, each written once as a validator; their TypeScript types are derived from the
 * validators (`ObjectOf`), so a field added to one cannot be missing from the other.
 */
import { LIMITS } from './limits';
import { validate, type Infer, type ObjectOf } from './validate';

export const PROVIDERS = ['auto', 'cpu', 'cuda'] as const;
/** Where inference runs: what the user asks for ('auto': CUDA when it works, else CPU). */
export type Provider = (typeof PROVIDERS)[number];

export const SEARCH_SORTS = ['relevance', 'date-desc', 'date-asc'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export const photoId = validate.integer({ min: 1 });
export const folderId = validate.integer({ min: 1 });
/** Uploaded external images are named by the engine; the name is a short random token. */
export const imageId = validate.string({ maxLength: LIMITS.uploadIdLength, nonEmpty: true });
export const folderPath = validate.string({ maxLength: LIMITS.pathLength, nonEmpty: true });
export const labelText = validate.string({ maxLength: LIMITS.labelLength, nonEmpty: true });

export const searchFiltersShape = {
  folderIds: validate.optional(validate.array(folderId, { maxItems: LIMITS.folderFilters })),
  /** Inclusive bounds on the EXIF date, as date prefixes: '2019', '2019-07', '2019-07-14'. */
  takenFrom: validate.optional(validate.date),
  takenTo: validate.optional(validate.date),
  /** File formats as the catalog names them: 'jpeg', 'png', 'webp', 'heif', 'tiff', 'gif', 'avif'. */
  formats: validate.optional(
    validate.array(validate.string({ maxLength: LIMITS.formatNameLength, nonEmpty: true }), { maxItems: LIMITS.formatFilters }),
  ),
  /** Matches camera make or model, case-insensitively, anywhere in the name. */
  camera: validate.optional(validate.string({ maxLength: LIMITS.cameraLength })),
};
export const searchFilters = validate.object(searchFiltersShape);
export type SearchFilters = ObjectOf<typeof searchFiltersShape>;

export const searchQueryShape = {
  /** Free text; terms after '+' or '-' are added to or subtracted from the query ('beach -people +sunset'). */
  text: validate.optional(validate.string({ maxLength: LIMITS.queryLength })),
  /** Example photos from the library (find similar); they are left out of the results. */
  photoIds: validate.optional(validate.array(photoId, { maxItems: LIMITS.examplePhotos })),
  /** External images from search.uploadImage. */
  imageIds: validate.optional(validate.array(imageId, { maxItems: LIMITS.uploadedImages })),
  /** Share of the text when text and photos are combined, 0..1 (default 0.5). */
  textWeight: validate.optional(validate.number({ min: 0, max: 1 })),
  filters: validate.optional(searchFilters),
  sort: validate.optional(validate.oneOf(SEARCH_SORTS)),
  offset: validate.optional(validate.integer({ min: 0, max: 10_000_000 })),
  /** Results per page (default 100). */
  limit: validate.optional(validate.integer({ min: 1, max: LIMITS.resultsPerPage })),
  /** Lowest cosine score shown; the settings' threshold when absent. */
  threshold: validate.optional(validate.number({ min: -1, max: 1 })),
  /**
   * Apply the per-query cut-off that keeps unrelated photos out (default true). False ranks the whole library
   * ("show less relevant results too"); the threshold still applies.
   */
  relevantOnly: validate.optional(validate.boolean),
  /** Re-rank the first results for variety (MMR); the setting when absent. */
  diversify: validate.optional(validate.boolean),
  /** Show near-duplicates once, with a count; the setting when absent. */
  groupDuplicates: validate.optional(validate.boolean),
  /** Fuse photos' own text (captions, keywords, notes) into text search; the setting when absent. */
  useText: validate.optional(validate.boolean),
};
export const searchQuery = validate.object(searchQueryShape);
export type SearchQuery = ObjectOf<typeof searchQueryShape>;

export const settingsShape = {
  /** Lowest cosine score a result may have (on top of the per-query, distribution-based cut-off). */
  threshold: validate.number({ min: -1, max: 1 }),
  textFusion: validate.boolean,
  diversify: validate.boolean,
  groupDuplicates: validate.boolean,
  /** This and the next two apply from the next start. */
  provider: validate.oneOf(PROVIDERS),
  threads: validate.integer({ min: 0, max: 256 }),
  model: validate.string({ maxLength: LIMITS.pathLength, nonEmpty: true }),
};
export const settings = validate.object(settingsShape);
export type Settings = ObjectOf<typeof settingsShape>;
/** settings.update changes some settings: every field optional, each checked as in Settings. */
export const settingsPatch = validate.partial(settingsShape);
export type SettingsPatch = Infer<typeof settingsPatch>;

export const uploadImage = validate.object({
  /** The file's bytes as base64. */
  data: validate.string({ maxLength: LIMITS.uploadBase64Length, nonEmpty: true }),
  name: validate.optional(validate.string({ maxLength: LIMITS.uploadNameLength })),
});
export type UploadImageRequest = Infer<typeof uploadImage>;
