import os from 'node:os';
import path from 'node:path';

/**
 * Where Shoebox keeps its catalog, thumbnails and downloaded models. The same folder Electron's
 * `app.getPath('userData')` gives for an app named Shoebox, so the CLI and the desktop app share one library.
 * SHOEBOX_DATA overrides it; every CLI command also takes --data.
 */
export function defaultDataDir(): string {
  const override = process.env.SHOEBOX_DATA;
  if (override) return path.resolve(override);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Shoebox');
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Shoebox');
    default:
      return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Shoebox');
  }
}
