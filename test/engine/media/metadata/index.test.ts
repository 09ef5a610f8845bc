import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseExif, parseIptc, readPhotoMetadata } from '../../../../electron/engine/media/metadata';
import type { PhotoMetadata } from '../../../../electron/engine/media/metadata';
import { hasShared, sharedPath } from '../../../support/shared-data';

const robustness = (...parts: string[]): string => sharedPath('data', 'robustness', ...parts);

interface ManifestRow {
  path: string;
  date: string | null;
  lat: number | null;
  lon: number | null;
}

function readManifest(): ManifestRow[] {
  const [header, ...lines] = readFileSync(robustness('manifest.tsv'), 'utf8').trim().split('\n');
  const columns = header!.split('\t');
  const col = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`manifest has no ${name} column`);
    return index;
  };
  const value = (cells: string[], name: string): string | null => {
    const cell = cells[col(name)]?.trim();
    return cell && cell !== '-' ? cell : null;
  };
  return lines.map((line) => {
    const cells = line.split('\t');
    const lat = value(cells, 'gps_lat');
    const lon = value(cells, 'gps_lon');
    return { path: cells[col('path')]!, date: value(cells, 'datetime_original'), lat: lat ? Number(lat) : null, lon: lon ? Number(lon) : null };
  });
}

async function metadataOf(file: string): Promise<PhotoMetadata> {
  const bytes = readFileSync(file);
  let meta: Metadata | undefined;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    meta = undefined;
  }
  return readPhotoMetadata({ exif: meta?.exif, xmp: meta?.xmp, iptc: meta?.iptc, file: bytes, format: meta?.format });
}

/** exiftool's '2022:01:10 15:15:44-04:00' / '...Z' as [wall clock, offset or null]. */
function splitManifestDate(date: string): [string, string | null] {
  const match = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})?$/.exec(date);
  if (!match) throw new Error(`unexpected manifest date ${date}`);
  const zone = match[5] === 'Z' ? '+00:00' : (match[5] ?? null);
  return [`${match[1]}-${match[2]}-${match[3]}T${match[4]}`, zone];
}

describe.skipIf(!hasShared('data/robustness/manifest.tsv'))('metadata of the robustness corpus (manifest.tsv)', () => {
  const rows = readManifest();

  it('yields every date and GPS position the manifest lists, and no GPS where it lists none', async () => {
    let dates = 0;
    let positions = 0;
    for (const row of rows) {
      const meta = await metadataOf(robustness(row.path));
      if (row.date) {
        const [wallClock, zone] = splitManifestDate(row.date);
        expect(meta.takenAt?.slice(0, 19), row.path).toBe(wallClock);
        if (zone) expect(meta.takenAt?.slice(19), row.path).toBe(zone);
        dates++;
      }
      if (row.lat !== null && row.lon !== null) {
        expect(meta.gpsLat, row.path).toBeCloseTo(row.lat, 6);
        expect(meta.gpsLon, row.path).toBeCloseTo(row.lon, 6);
        positions++;
      } else {
        expect(meta.gpsLat, row.path).toBeNull();
        expect(meta.gpsLon, row.path).toBeNull();
      }
    }
    expect(rows.length).toBe(166);
    expect(dates).toBe(60);
    expect(positions).toBe(14);
  });

  it('reads cameras, descriptions and keywords', async () => {
    expect(await metadataOf(robustness('exif_gps_dates/ianare_cameras/Canon_40D.jpg'))).toMatchObject({
      cameraMake: 'Canon',
      cameraModel: 'Canon EOS 40D',
      takenAt: '2008-05-30T15:56:01',
    });
    expect(await metadataOf(robustness('exif_gps_dates/ianare_cameras/Nikon_D70.jpg'))).toMatchObject({
      cameraMake: 'NIKON CORPORATION',
      cameraModel: 'NIKON D70',
    });
    const utah = await metadataOf(robustness('exif_gps_dates/immich/thompson-springs.jpg'));
    expect(utah.description).toMatch(/^Early winter scene in the mostly barren/);
    expect(utah.keywords).toEqual(['carol m. highsmith', 'america', 'utah', 'utah winter scenes', 'thompson springs']);
    expect(utah.takenAt).toBe('2022-01-10T15:15:44-04:00');
    // Picasa's placeholder 'Image-Description' is not a description; its keywords are real.
    const picasa = await metadataOf(robustness('exif_gps_dates/immich/picasa.jpg'));
    expect(picasa.description).toBeNull();
    expect(picasa.keywords).toEqual(['Frost', 'Yard']);
    expect((await metadataOf(robustness('exif_gps_dates/immich/mongolels.jpg'))).description).toBe('Mongol Els');
    // A TIFF's own tags (sharp returns no EXIF block for TIFF) and its XMP keywords.
    const tiff = await metadataOf(robustness('formats/sharp/tifftag-photoshop.tiff'));
    expect(tiff).toMatchObject({ cameraMake: 'FUJIFILM', cameraModel: 'X-T2', takenAt: '2018-10-12T14:45:38' });
    expect(tiff.keywords).toContain('mountains');
    // EXIF in a WebP (bare TIFF header) and a HEIC (sharp reads its metadata even without an HEVC decoder).
    expect((await metadataOf(robustness('formats/immich/denali.webp'))).cameraModel).toBe('Canon EOS 7D');
    expect((await metadataOf(robustness('formats/heic_ianare/iphone_13_pro_max.HEIC'))).takenAt).toBe('2022-02-16T12:55:41+01:00');
  });

  it('reads XMP written with the old Adobe prefix (xap: bound to the xmp namespace)', async () => {
    // BlueSquare's XMP says xap:CreateDate; its EXIF has only DateTime, which editors overwrite on save.
    expect((await metadataOf(robustness('exif_gps_dates/ianare_cameras/BlueSquare.jpg'))).takenAt).toBe('2005-09-07T15:07:40-07:00');
    // Same wall-clock time as EXIF DateTime, and XMP knows the offset.
    expect((await metadataOf(robustness('colour/pillow/pil_sample_rgb.jpg'))).takenAt).toBe('2009-03-06T22:15:29+01:00');
  });

  it('never throws on any file', async () => {
    for (const row of rows) {
      const bytes = readFileSync(robustness(row.path));
      let meta: Metadata | undefined;
      try {
        meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      } catch {
        meta = undefined;
      }
      // Also parse every file as if it were a TIFF/EXIF block: arbitrary bytes must be harmless.
      expect(() => readPhotoMetadata({ exif: meta?.exif, xmp: meta?.xmp, iptc: meta?.iptc, file: bytes, format: meta?.format })).not.toThrow();
      expect(() => parseExif(bytes)).not.toThrow();
      expect(() => parseIptc(bytes)).not.toThrow();
    }
  });
});
