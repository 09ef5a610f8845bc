import path from 'node:path';
import type { Stats } from 'node:fs';

/**
 * Which files count as photos, and which files and folders the scanner and the watcher never look at.
 * Both use the same filter, so a file the startup scan finds is exactly a file the watcher reports.
 */

/**
 * Extensions (lower case, no dot) that the prebuilt libvips inside sharp 0.35 decodes, checked against
 * `sharp.format` and real files in ../shared/data/robustness (see test/engine/library/file-types.test.ts).
 */
export const DEFAULT_PHOTO_EXTENSIONS: ReadonlySet<string> = new Set([
  'jpg', 'jpeg', 'jpe', 'jfif',
  'png',
  'webp',
  'avif',
  'gif',
  'tif', 'tiff',
]);

/**
 * Photo formats the library lists even where this build cannot decode them, so they show up as failures with
 * their reason ("this build has no HEVC decoder") instead of silently missing: iPhones save HEIC by default, and a
 * person with thousands of them must be told why they are not searchable.
 */
export const LISTED_UNDECODABLE_EXTENSIONS: ReadonlySet<string> = new Set(['heic', 'heif', 'hif']);

/** What the scanner and the watcher pick up by default: every decodable photo, plus the listed undecodable ones. */
export const LIBRARY_PHOTO_EXTENSIONS: ReadonlySet<string> = new Set([...DEFAULT_PHOTO_EXTENSIONS, ...LISTED_UNDECODABLE_EXTENSIONS]);

/**
 * Photo formats a libvips build may or may not decode. `detectPhotoExtensions()` keeps those the
 * running sharp can read. With sharp 0.35's prebuilt binaries:
 * - heic/heif/hif: libheif is built without an HEVC decoder (patents), so only AVIF decodes; the
 *   header reads, the pixels do not ("bad seek"). iPhone photos need a converter or a custom sharp build.
 * - jxl, jp2/j2k/jpf/jpx: libjxl and OpenJPEG are not in the prebuilt binaries.
 * - bmp, ppm/pgm/pbm/pnm, psd: need ImageMagick (the `magick` loader), not in the prebuilt binaries.
 */
export const CANDIDATE_PHOTO_EXTENSIONS: ReadonlySet<string> = new Set([
  ...DEFAULT_PHOTO_EXTENSIONS,
  'heic', 'heif', 'hif',
  'jxl',
  'jp2', 'j2k', 'jpf', 'jpx',
  'bmp',
  'ppm', 'pgm', 'pbm', 'pnm',
  'psd',
]);

/**
 * Never photos, even where sharp can read them:
 * - svg/svgz: vector drawings (icons, logos, diagrams) that would flood search results; rendering
 *   them also runs an XML parser on whatever lies in the user's folders.
 * - pdf: documents; libvips needs PDFium/poppler for them, which the prebuilt binaries lack anyway.
 * - Camera RAW (cr2, cr3, nef, arw, dng, raf, orf, rw2, ...): libvips has no RAW decoder (sharp's
 *   `raw` input means bare pixel buffers), and RAW files usually sit beside a JPEG of the same shot.
 */
export const EXCLUDED_EXTENSIONS: ReadonlySet<string> = new Set([
  'svg', 'svgz', 'pdf',
  'cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'dng', 'raf', 'orf', 'rw2', 'pef', 'srw', 'x3f', 'raw',
]);

/** Folder names (compared case-insensitively) that belong to operating systems, NAS boxes and tools. */
const SYSTEM_FOLDER_NAMES: ReadonlySet<string> = new Set([
  '$recycle.bin', // Windows recycle bin on each drive
  'recycler', // Windows XP recycle bin
  'system volume information', // Windows restore points and indexer data
  '@eadir', // Synology thumbnails (copies of every photo)
  '#recycle', // Synology recycle bin
  '#snapshot', // Synology snapshots (copies of every photo)
  '@recycle', // QNAP recycle bin
  '@recently-snapshot', // QNAP snapshots
  'lost+found', // ext filesystems' orphans
  '__macosx', // resource forks left by unzipping macOS archives
  'node_modules', // code, not photos; huge
]);

/** File names (case-insensitive) written by operating systems beside photos. */
const SYSTEM_FILE_NAMES: ReadonlySet<string> = new Set(['thumbs.db', 'ehthumbs.db', 'desktop.ini', 'icon\r']);

/** The lower-case extension of a file name without the dot ('' when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Whether a file or folder name is hidden or belongs to the system, so it and everything under it is skipped.
 * Dot-prefixed names cover .Trashes, .Spotlight-V100, .fseventsd, .thumbnails, .git, .DS_Store,
 * macOS AppleDouble `._IMG_0001.jpg` files, Syncthing and Dropbox temporaries, and QNAP's .@__thumb.
 */
export function isIgnoredName(name: string): boolean {
  if (name.startsWith('.')) return true;
  const lower = name.toLowerCase();
  return SYSTEM_FOLDER_NAMES.has(lower) || SYSTEM_FILE_NAMES.has(lower);
}

export interface PhotoFilterOptions {
  /** Extensions (with or without dot, any case) that count as photos; defaults to LIBRARY_PHOTO_EXTENSIONS. */
  extensions?: Iterable<string>;
}

/** The part of fs.Stats / fs.Dirent the filter looks at. */
export type EntryKind = Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink'>;

/** The one filter the scanner and the watcher share. */
export class PhotoFilter {
  readonly extensions: ReadonlySet<string>;

  constructor(options: PhotoFilterOptions = {}) {
    const given = options.extensions ?? LIBRARY_PHOTO_EXTENSIONS;
    this.extensions = new Set([...given].map((ext) => ext.replace(/^\./, '').toLowerCase()));
  }

  /** Whether a file name is a photo by its extension (case-insensitive), hidden and system names excluded. */
  isPhotoName(name: string): boolean {
    return !isIgnoredName(name) && this.extensions.has(extensionOf(name));
  }

  /** Whether a file or folder name is skipped with everything under it. */
  isIgnoredName(name: string): boolean {
    return isIgnoredName(name);
  }

  /**
   * Whether a path below `root` lies in a hidden or system folder (or is itself hidden).
   * Only the parts below the root count: a user may pick a hidden folder as a root on purpose.
   */
  isInIgnoredPlace(root: string, absolutePath: string): boolean {
    const relative = path.relative(root, absolutePath);
    if (relative === '') return false;
    if (relative.startsWith('..') || path.isAbsolute(relative)) return true; // outside the root
    return relative.split(path.sep).some((part) => isIgnoredName(part));
  }

  /**
   * The test chokidar's `ignored` option needs. Chokidar calls it once without stats (only the
   * path is known, so only names can be judged: a folder may be called "2019.trip") and again with
   * stats, when files that are not photos are dropped.
   */
  shouldIgnore(root: string, absolutePath: string, stats?: EntryKind): boolean {
    if (this.isInIgnoredPlace(root, absolutePath)) return true;
    if (stats === undefined || absolutePath === root) return false;
    // A symlink is judged again by what it points to, once it has been followed.
    if (stats.isDirectory() || stats.isSymbolicLink()) return false;
    if (stats.isFile()) return !this.extensions.has(extensionOf(path.basename(absolutePath)));
    return true; // sockets, fifos, devices
  }
}

/** The filter with the default extensions. */
export const defaultPhotoFilter = new PhotoFilter();

/** Whether a file name is a photo by the default rules. */
export function isPhotoFileName(name: string): boolean {
  return defaultPhotoFilter.isPhotoName(name);
}

/**
 * The photo extensions the running sharp can decode: CANDIDATE_PHOTO_EXTENSIONS that appear as a
 * file suffix of a loader in `sharp.format`. Loads sharp (native) on first call, so the scanner and
 * the watcher do not depend on it; pass the result to `new PhotoFilter({ extensions })`.
 */
export async function detectPhotoExtensions(): Promise<Set<string>> {
  const { default: sharp } = await import('sharp');
  const found = new Set<string>();
  for (const info of Object.values(sharp.format)) {
    if (!info.input.file) continue;
    for (const suffix of info.input.fileSuffix ?? []) {
      const ext = suffix.replace(/^\./, '').toLowerCase();
      if (CANDIDATE_PHOTO_EXTENSIONS.has(ext) && !EXCLUDED_EXTENSIONS.has(ext)) found.add(ext);
    }
  }
  return found;
}
