import type { AppStatus, FolderStatus, IndexingProgress, ModelProgress, PhotoDetails, PhotoSummary } from '@shared/types';

const numberFormat = new Intl.NumberFormat('en');

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** '1 photo', '2,345 photos'. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** 'about 40 s left', 'about 3 min left', 'about 2 h 5 min left'. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 1) return 'almost done';
  if (seconds < 60) return `about ${Math.ceil(seconds)} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `about ${hours} h ${rest} min left` : `about ${hours} h left`;
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '';
  return perSecond >= 10 ? `${Math.round(perSecond)} photos/s` : `${perSecond.toFixed(1)} photos/s`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A photo's date for people: the EXIF wall-clock time as written (no time-zone shifting: it has none), else the
 * file's modification time in local time.
 */
export function photoDate(photo: Pick<PhotoSummary, 'takenAt' | 'mtimeMs'>, withTime = false): string {
  const exif = photo.takenAt ? /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(photo.takenAt) : null;
  let year: number, month: number, day: number, hour: number | null, minute: number | null;
  if (exif) {
    year = Number(exif[1]);
    month = Number(exif[2]);
    day = Number(exif[3]);
    hour = exif[4] !== undefined ? Number(exif[4]) : null;
    minute = exif[5] !== undefined ? Number(exif[5]) : null;
  } else {
    const date = new Date(photo.mtimeMs);
    if (Number.isNaN(date.getTime())) return '';
    year = date.getFullYear();
    month = date.getMonth() + 1;
    day = date.getDate();
    hour = date.getHours();
    minute = date.getMinutes();
  }
  const text = `${day} ${MONTHS[month - 1] ?? '?'} ${year}`;
  if (!withTime || hour === null || minute === null) return text;
  return `${text}, ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

export function formatDimensions(photo: Pick<PhotoSummary, 'width' | 'height'>): string {
  if (!photo.width || !photo.height) return '';
  const mp = (photo.width * photo.height) / 1e6;
  return `${photo.width} × ${photo.height}${mp >= 1 ? ` (${mp.toFixed(1)} MP)` : ''}`;
}

/** 'Canon EOS 40D' rather than 'Canon Canon EOS 40D'. */
export function cameraName(photo: Pick<PhotoDetails, 'cameraMake' | 'cameraModel'>): string {
  const make = photo.cameraMake?.trim() ?? '';
  const model = photo.cameraModel?.trim() ?? '';
  if (!make) return model;
  if (!model) return make;
  const firstWord = make.split(/\s+/)[0]!.toLowerCase();
  return model.toLowerCase().startsWith(firstWord) ? model : `${make} ${model}`;
}

/** The folder a path lives in (either separator), for 'Show in folder' captions and failure lists. */
export function parentFolder(filePath: string): string {
  const cut = Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\'));
  return cut > 0 ? filePath.slice(0, cut) : filePath;
}

export function fileName(filePath: string): string {
  const cut = Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\'));
  return filePath.slice(cut + 1);
}

export function percent(part: number, whole: number): number {
  if (whole <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((100 * part) / whole)));
}

/** How a folder notices changes, in words. */
export function folderWatchText(folder: FolderStatus): string {
  switch (folder.mode) {
    case 'watching':
      return 'Watching for changes';
    case 'polling':
      return folder.reason ? `Checking for changes every few seconds (${folder.reason})` : 'Checking for changes every few seconds';
    case 'manual':
      return 'Not watched';
  }
}

/** 'Scanning…', '118 of 120 indexed · 2 waiting · 1 could not be read'. */
export function folderCountsText(folder: FolderStatus): string {
  const parts: string[] = [];
  if (folder.scanning) parts.push('Scanning…');
  if (folder.photos === 0 && !folder.scanning) return 'No photos found yet';
  parts.push(folder.indexed === folder.photos ? `${plural(folder.photos, 'photo')}, all indexed` : `${formatCount(folder.indexed)} of ${plural(folder.photos, 'photo')} indexed`);
  if (folder.pending > 0) parts.push(`${formatCount(folder.pending)} waiting`);
  if (folder.failed > 0) parts.push(`${formatCount(folder.failed)} could not be read`);
  return parts.join(' · ');
}

/** running / paused: the indexer's own state; waiting: work queued but no indexer (no model yet); done; empty. */
export type ProgressPhase = 'running' | 'paused' | 'waiting' | 'done' | 'empty';

export function progressPhase(progress: IndexingProgress | null): ProgressPhase {
  if (!progress) return 'empty';
  if (progress.state === 'paused') return 'paused';
  if (progress.state === 'running') return 'running';
  if (progress.pending > 0) return 'waiting';
  return progress.indexed + progress.failed > 0 ? 'done' : 'empty';
}

/** The one-line indexing summary in the header. */
export function progressText(progress: IndexingProgress | null): string {
  if (!progress) return '';
  const phase = progressPhase(progress);
  if (phase === 'paused') return `Indexing paused · ${formatCount(progress.pending)} waiting`;
  if (phase === 'waiting') return `${formatCount(progress.pending)} waiting to be indexed`;
  if (phase === 'running') {
    const parts = [`Indexing · ${formatCount(progress.pending)} to go`];
    const rate = formatRate(progress.ratePerSecond);
    if (rate) parts.push(rate);
    const eta = formatEta(progress.etaSeconds);
    if (eta) parts.push(eta);
    return parts.join(' · ');
  }
  if (phase === 'done') return `${plural(progress.indexed, 'photo')} indexed`;
  return '';
}

/** A relevance strength (0..1) as the words a screen reader says. */
export function relevanceLabel(relevance: number | null): string {
  if (relevance === null) return '';
  if (relevance >= 0.75) return 'strong match';
  if (relevance >= 0.4) return 'good match';
  return 'weak match';
}

/** 'clip-vit-b32: available', 'clip-vit-b32: downloading 42%', 'clip-vit-b32: failed (checksum mismatch)'. */
export function modelStatusLine(model: AppStatus['model']): string {
  if (model.state === 'downloading' && model.totalBytes) {
    return `${model.name}: downloading ${Math.round((100 * (model.receivedBytes ?? 0)) / model.totalBytes)}%`;
  }
  return model.reason ? `${model.name}: ${model.state} (${model.reason})` : `${model.name}: ${model.state}`;
}

/** A model download's whole percent done, or null while its size is unknown. */
export function downloadPercent(download: ModelProgress | null): number | null {
  return download?.totalBytes ? Math.floor((100 * download.receivedBytes) / download.totalBytes) : null;
}
