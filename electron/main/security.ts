// The window's security settings as plain data (no `electron` import), so tests check the exact values index.ts uses.

/**
 * Every BrowserWindow's webPreferences, less the preload path: the page is isolated from the preload's world, runs
 * in Chromium's sandbox, has no Node.js in any frame or worker, cannot turn off web security, and gets no <webview>.
 */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const;

/**
 * The page's Content-Security-Policy, also sent as a header where the page comes over HTTP (the dev server); the
 * built page carries the same policy in its <meta> tag (file:// responses have no headers). Scripts and styles only
 * from the app itself, photos only from the shoebox-media: scheme (and data:/blob: for previews), no plugins, no
 * frames, no form posts, no fetches anywhere but the app.
 */
export const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: shoebox-media:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
