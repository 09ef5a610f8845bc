import path from 'node:path';

/**
 * The unpacked copy of a file inside a packaged app's asar archive. Electron's `require` and `fs` read through the
 * archive, but a native library that C code opens itself (SQLite's load_extension calls dlopen) needs the real file,
 * which electron-builder puts under `app.asar.unpacked` (see asarUnpack in electron-builder.yml). Paths outside an
 * archive come back unchanged.
 */
export function asarUnpackedPath(file: string, sep: string = path.sep): string {
  const packed = `${sep}app.asar${sep}`;
  const at = file.indexOf(packed);
  if (at === -1) return file;
  return `${file.slice(0, at)}${sep}app.asar.unpacked${sep}${file.slice(at + packed.length)}`;
}
