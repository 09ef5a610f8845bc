// Electron's main process: windows, menu, security policy and IPC wiring only. The engine lives in a utility process.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestChannel, RequestOf } from '@shared/contract';
import { ipcEventChannel } from '@shared/envelope';
import { MEDIA_SCHEME } from '@shared/media-urls';
import { desktopOverrides } from './desktop-requests';
import { EngineProcess } from './engine-process';
import { createIpcRouter, isTrustedRendererUrl, registerIpc, type IpcOverrides } from './ipc';
import { handleMediaRequest, MEDIA_SCHEME_PRIVILEGES } from './media-protocol';
import { APP_CSP, SECURE_WEB_PREFERENCES } from './security';
import { loadWindowState, MIN_WINDOW_SIZE, saveWindowState, type WindowState } from './window-state';

const rendererUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`
const rendererFile = path.join(import.meta.dirname, '../renderer/index.html');
const renderer = { devUrl: rendererUrl, fileUrl: pathToFileURL(rendererFile).href };

// Must happen before the app is ready. Not bypassCSP: the page's img-src has to allow the scheme.
protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: MEDIA_SCHEME_PRIVILEGES }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const window = BrowserWindow.getAllWindows()[0];
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  void app.whenReady().then(start);
}

function windowStateFile(): string {
  return path.join(app.getPath('userData'), 'window-state.json');
}

/** Only our own page, in its top frame, may call the engine. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isTrustedRendererUrl(frame.url, renderer);
}

function createWindow(): BrowserWindow {
  const state = loadWindowState(windowStateFile(), screen.getAllDisplays().map((d) => d.workArea));
  const window = new BrowserWindow({
    ...state,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    show: false,
    title: 'Shoebox',
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.mjs'),
      ...SECURE_WEB_PREFERENCES,
    },
  });
  if (state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    const remembered: WindowState = { ...window.getNormalBounds(), maximized: window.isMaximized() };
    saveWindowState(windowStateFile(), remembered);
  });
  if (rendererUrl) void window.loadURL(rendererUrl);
  else void window.loadFile(rendererFile);
  return window;
}

function lockDown(): void {
  const ses = session.defaultSession;
  // No web permission (camera, notifications, geolocation, USB, HID, serial...) is ever needed.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived({ urls: ['http://*/*', 'https://*/*'] }, (details, callback) => {
    const isPage = details.resourceType === 'mainFrame' || details.resourceType === 'subFrame';
    callback({
      responseHeaders: isPage ? { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } : details.responseHeaders,
    });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-frame-navigate', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

function buildMenu(addFolder: () => void): void {
  const template: Electron.MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Add Folder…', accelerator: 'CmdOrCtrl+O', click: addFolder },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ role: 'about' }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** In development the Electron-ABI build of better-sqlite3 made by `npm run setup`; packaged apps are rebuilt in place. */
function electronSqliteBinding(): string | undefined {
  const candidate = path.join(app.getAppPath(), '.native', 'electron', 'better_sqlite3.node');
  return !app.isPackaged && existsSync(candidate) ? candidate : undefined;
}

async function chooseFolder(): Promise<string | null> {
  const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const options: Electron.OpenDialogOptions = { title: 'Add a folder to the library', properties: ['openDirectory'] };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

async function start(): Promise<void> {
  lockDown();
  const engine = new EngineProcess({
    dataDir: app.getPath('userData'),
    model: process.env.SHOEBOX_MODEL,
    sqliteBinding: electronSqliteBinding(),
    onEvent: ({ channel, payload }) => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(ipcEventChannel(channel), payload);
    },
  });
  // The router has validated the payload against the channel's validator before it forwards it.
  const forward = (channel: RequestChannel, payload: unknown) => engine.request(channel, payload as RequestOf<typeof channel>);
  const overrides: IpcOverrides = desktopOverrides({
    photoPath: (id) => engine.photoPath(id),
    forward: (channel, payload) => engine.request(channel, payload),
    openPath: (file) => shell.openPath(file),
    showItemInFolder: (file) => shell.showItemInFolder(file),
    chooseFolder,
  });
  registerIpc(ipcMain, { isTrustedSender, forward, overrides });
  // The menu's "Add Folder…" goes through the same validated path as the page's button.
  const menuRoute = createIpcRouter<null>({ isTrustedSender: () => true, forward, overrides });
  buildMenu(() => {
    void menuRoute('library.chooseFolder', null, undefined).then((reply) => {
      if ('error' in reply) dialog.showErrorBox('Could not add the folder', reply.error.message);
    });
  });
  // Bytes come from the engine's utility process, validated there; main only parses the id and wraps the reply.
  protocol.handle(MEDIA_SCHEME, (request) => handleMediaRequest(request, (kind, photoId) => engine.media(kind, photoId)));

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let shuttingDown = false;
  app.on('before-quit', (event) => {
    if (shuttingDown) return;
    shuttingDown = true;
    event.preventDefault();
    void engine.shutdown().finally(() => app.quit());
  });
}
