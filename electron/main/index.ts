// Electron's main process: windows, menu, security policy and IPC wiring only. The engine lives in a utility process.
import { app, BrowserWindow, Menu, session, type IpcMainInvokeEvent } from 'electron';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EngineProcess } from './engine-process';
import { registerIpc } from './ipc';

const rendererUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`
const rendererFile = path.join(import.meta.dirname, '../renderer/index.html');

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

interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

function windowStateFile(): string {
  return path.join(app.getPath('userData'), 'window-state.json');
}

function loadWindowState(): WindowState {
  try {
    if (existsSync(windowStateFile())) return JSON.parse(readFileSync(windowStateFile(), 'utf8')) as WindowState;
  } catch {
    // A corrupt state file only costs the remembered size.
  }
  return { width: 1280, height: 860, maximized: false };
}

function saveWindowState(window: BrowserWindow): void {
  const bounds = window.getNormalBounds();
  const state: WindowState = { ...bounds, maximized: window.isMaximized() };
  writeFileSync(windowStateFile(), JSON.stringify(state));
}

/** Only our own renderer may call the engine. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return rendererUrl ? url.startsWith(rendererUrl) : url.startsWith('file://') && url.includes('/renderer/');
}

function createWindow(): BrowserWindow {
  const state = loadWindowState();
  const window = new BrowserWindow({
    ...state,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Shoebox',
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.mjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  if (state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => saveWindowState(window));
  if (rendererUrl) void window.loadURL(rendererUrl);
  else void window.loadFile(rendererFile);
  return window;
}

function lockDown(): void {
  // No web permission (camera, notifications, geolocation...) is ever needed.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

function buildMenu(): void {
  const template: Electron.MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
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

async function start(): Promise<void> {
  lockDown();
  buildMenu();
  const engine = new EngineProcess({
    dataDir: app.getPath('userData'),
    model: process.env.SHOEBOX_MODEL,
    sqliteBinding: electronSqliteBinding(),
    onEvent: (channel, payload) => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(`event:${channel}`, payload);
    },
  });
  registerIpc({ isTrustedSender, forward: (channel, payload) => engine.request(channel, payload) });
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
