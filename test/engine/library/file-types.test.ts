import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import {
  CANDIDATE_PHOTO_EXTENSIONS,
  DEFAULT_PHOTO_EXTENSIONS,
  LISTED_UNDECODABLE_EXTENSIONS,
  EXCLUDED_EXTENSIONS,
  PhotoFilter,
  defaultPhotoFilter,
  detectPhotoExtensions,
  extensionOf,
  isIgnoredName,
  isPhotoFileName,
} from '../../../electron/engine/library/file-types';
import { hasShared, sharedPath } from '../../support/shared-data';

const dirStats = { isFile: () => false, isDirectory: () => true, isSymbolicLink: () => false };
const fileStats = { isFile: () => true, isDirectory: () => false, isSymbolicLink: () => false };
const linkStats = { isFile: () => false, isDirectory: () => false, isSymbolicLink: () => true };

describe('photo file names', () => {
  it('accepts photo extensions in any letter case', () => {
    for (const name of ['a.jpg', 'B.JPG', 'c.Jpeg', 'd.jpe', 'e.JFIF', 'f.png', 'g.webp', 'h.AVIF', 'i.gif', 'j.tif', 'k.TIFF', 'IMG 0001.final.jpg']) {
      expect(isPhotoFileName(name), name).toBe(true);
    }
  });

  it('rejects other files, vector drawings, documents, RAW and undecodable formats', () => {
    for (const name of ['notes.txt', 'logo.svg', 'scan.pdf', 'IMG_1.CR2', 'IMG_2.dng', 'IMG_3.NEF', 'clip.mp4', 'jpg', 'noextension', 'a.jxl', 'b.jp2', 'c.bmp', 'photo.jpg.part']) {
      expect(isPhotoFileName(name), name).toBe(false);
    }
  });

  it('lists HEIC photos even where they cannot be decoded, so they appear as failures with a reason', () => {
    for (const name of ['IMG_4.heic', 'IMG_5.HEIC', 'x.heif', 'y.hif']) expect(isPhotoFileName(name), name).toBe(true);
    for (const ext of LISTED_UNDECODABLE_EXTENSIONS) expect(DEFAULT_PHOTO_EXTENSIONS.has(ext)).toBe(false);
  });

  it('rejects hidden files and macOS AppleDouble companions even with a photo extension', () => {
    expect(isPhotoFileName('.hidden.jpg')).toBe(false);
    expect(isPhotoFileName('._IMG_0001.JPG')).toBe(false);
  });

  it('takes custom extensions with or without a dot, in any case', () => {
    const filter = new PhotoFilter({ extensions: ['.HEIC', 'jpg'] });
    expect(filter.isPhotoName('x.heic')).toBe(true);
    expect(filter.isPhotoName('x.JPG')).toBe(true);
    expect(filter.isPhotoName('x.png')).toBe(false);
    expect(extensionOf('.bashrc')).toBe('');
    expect(extensionOf('a.b.TIF')).toBe('tif');
  });
});

describe('hidden and system names', () => {
  it('ignores system folders and files of Windows, macOS, Synology, QNAP and tools', () => {
    for (const name of [
      '$RECYCLE.BIN', '$Recycle.Bin', 'System Volume Information', 'RECYCLER', '.Trashes', '.Spotlight-V100',
      '.fseventsd', '@eaDir', '#recycle', '#snapshot', '@Recycle', '.@__thumb', '.thumbnails', 'node_modules',
      'lost+found', '__MACOSX', '.git', '.DS_Store', 'Thumbs.db', 'THUMBS.DB', 'desktop.ini', 'Desktop.ini',
    ]) {
      expect(isIgnoredName(name), name).toBe(true);
    }
  });

  it('keeps ordinary folder names', () => {
    for (const name of ['Photos', '2019', 'eaDir', 'recycle', 'Holiday.2019', 'thumbnails', 'My Pictures']) {
      expect(isIgnoredName(name), name).toBe(false);
    }
  });

  it('judges only the parts of a path below the root, so a hidden root is allowed', () => {
    const root = path.join(path.sep, 'home', 'me', '.photos');
    expect(defaultPhotoFilter.shouldIgnore(root, root, dirStats)).toBe(false);
    expect(defaultPhotoFilter.shouldIgnore(root, path.join(root, 'a.jpg'), fileStats)).toBe(false);
    expect(defaultPhotoFilter.shouldIgnore(root, path.join(root, '.cache', 'a.jpg'), fileStats)).toBe(true);
    expect(defaultPhotoFilter.shouldIgnore(root, path.join(root, '@eaDir'))).toBe(true);
    expect(defaultPhotoFilter.shouldIgnore(root, path.join(root, 'x', 'Thumbs.db'))).toBe(true);
    expect(defaultPhotoFilter.shouldIgnore(root, path.join(path.sep, 'elsewhere', 'a.jpg'), fileStats)).toBe(true);
  });

  it('decides on file types only once stats say it is a file (a folder may look like a file name)', () => {
    const root = path.join(path.sep, 'photos');
    const folder = path.join(root, 'Trip.2019');
    expect(defaultPhotoFilter.shouldIgnore(root, folder)).toBe(false);
    expect(defaultPhotoFilter.shouldIgnore(root, folder, dirStats)).toBe(false);
    expect(defaultPhotoFilter.shouldIgnore(root, path.join(root, 'notes.txt'))).toBe(false);
    expect(defaultPhotoFilter.shouldIgnore(root, path.join(root, 'notes.txt'), fileStats)).toBe(true);
    expect(defaultPhotoFilter.shouldIgnore(root, path.join(root, 'link'), linkStats)).toBe(false);
  });
});

describe('decodable formats of the installed sharp', () => {
  it('detects exactly the default extensions from sharp.format, never an excluded one', async () => {
    const detected = await detectPhotoExtensions();
    for (const ext of detected) {
      expect(CANDIDATE_PHOTO_EXTENSIONS.has(ext)).toBe(true);
      expect(EXCLUDED_EXTENSIONS.has(ext)).toBe(false);
    }
    // If a sharp upgrade adds a decoder (HEIC, JPEG XL...), this fails: update DEFAULT_PHOTO_EXTENSIONS.
    expect([...detected].sort()).toEqual([...DEFAULT_PHOTO_EXTENSIONS].sort());
  });

  describe.skipIf(!hasShared('data/robustness/manifest.tsv'))('against ../shared/data/robustness', () => {
    const rows = readFileSync(sharedPath('data', 'robustness', 'manifest.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'))
      .map(([file, category]) => ({ file: file as string, category: category as string }));

    it('every file with an accepted extension is a format sharp knows (only corrupt files fail)', async () => {
      const unsupported: string[] = [];
      let accepted = 0;
      for (const { file } of rows) {
        if (!isPhotoFileName(path.basename(file))) continue;
        accepted++;
        try {
          await sharp(sharedPath('data', 'robustness', file)).metadata();
        } catch (error) {
          // Truncated files and the pixel-limit bomb fail for their own reasons; a wrong extension list shows as this.
          if (String(error).includes('unsupported image format')) unsupported.push(file);
        }
      }
      expect(accepted).toBeGreaterThan(140);
      expect(unsupported.filter((file) => !file.startsWith('corrupt/'))).toEqual([]);
    });

    it('every left-out photo format really fails to decode here (so nothing decodable is skipped)', async () => {
      const leftOut = rows.filter(({ file }) => {
        const ext = extensionOf(path.basename(file));
        return CANDIDATE_PHOTO_EXTENSIONS.has(ext) && !DEFAULT_PHOTO_EXTENSIONS.has(ext);
      });
      expect(leftOut.length).toBeGreaterThanOrEqual(8); // heic, heif, jxl, jp2, bmp, ppm
      for (const { file } of leftOut) {
        const decode = sharp(sharedPath('data', 'robustness', file)).resize(8, 8).raw().toBuffer();
        await expect(decode, file).rejects.toThrow();
      }
    });
  });
});
