/**
 * The app window and its security: contextIsolation + sandbox on, nodeIntegration off, a CSP on
 * every renderer response, navigation and new windows denied, permission requests denied.
 * Closing the window only destroys the page; the client lives in the main process, so the
 * socket does not notice, and the next `show()` builds a fresh window that asks for a snapshot.
 */
import { BrowserWindow, protocol, session } from 'electron';
import type { NativeImage, WebContents } from 'electron';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  contentSecurityPolicy,
  isAllowedNavigation,
  rendererResponse,
} from './security.js';
import type { IpcWindows } from './ipc.js';

/**
 * Declares `app://` a standard, secure scheme. Must run before app `ready` (Electron's rule),
 * so main.ts calls it at the top level, before anything awaits.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export interface WindowOptions {
  /** absolute path of dist/electron/preload.cjs */
  preload: string;
  /** the renderer build (dist/renderer), served as app://herenow/ */
  rendererRoot: string;
  /** a Vite dev server to load instead (HERENOW_RENDERER_URL) */
  devUrl: string | null;
  /** the window icon (Linux and Windows; macOS takes the bundle's) */
  icon?: NativeImage;
}

export interface MainWindow extends IpcWindows {
  /** creates the window if there is none, else restores, shows and focuses it */
  show(): void;
  /** the current window, if one is open */
  current(): BrowserWindow | null;
}

/** Applies the session-wide rules and returns the controller of the (single) main window. */
export function setupWindow(options: WindowOptions): MainWindow {
  const { preload, rendererRoot, devUrl, icon } = options;
  const rendererUrl = devUrl ?? APP_INDEX_URL;
  const ses = session.defaultSession;

  // The app needs no camera, microphone, notifications or geolocation from the page.
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);

  if (devUrl === null) {
    const csp = contentSecurityPolicy();
    protocol.handle(APP_SCHEME, (request) => rendererResponse(rendererRoot, request.url, csp));
  } else {
    // The dev server's responses are not ours to build, so the CSP is added on the way in.
    const origin = new URL(devUrl).origin;
    const csp = contentSecurityPolicy({ origin });
    ses.webRequest.onHeadersReceived({ urls: [`${origin}/*`] }, (details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }

  let win: BrowserWindow | null = null;

  const harden = (wc: WebContents): void => {
    wc.setWindowOpenHandler(() => ({ action: 'deny' }));
    const stayHome = (event: { url: string; preventDefault(): void }): void => {
      if (!isAllowedNavigation(event.url, rendererUrl)) event.preventDefault();
    };
    wc.on('will-navigate', stayHome);
    wc.on('will-redirect', stayHome);
    wc.on('will-attach-webview', (event) => event.preventDefault());
  };

  const create = (): BrowserWindow => {
    const created = new BrowserWindow({
      width: 1120,
      height: 760,
      minWidth: 720,
      minHeight: 520,
      show: false,
      title: 'HereNow',
      backgroundColor: '#0b1020',
      ...(icon ? { icon } : {}),
      webPreferences: {
        preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      },
    });
    harden(created.webContents);
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (win === created) win = null;
    });
    void created.loadURL(rendererUrl);
    return created;
  };

  return {
    rendererUrl,
    contents: () => (win && !win.isDestroyed() ? [win.webContents] : []),
    current: () => win,
    show() {
      if (win === null || win.isDestroyed()) {
        win = create();
        return;
      }
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
  };
}
