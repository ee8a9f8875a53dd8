/**
 * The stand-in for the `electron` module, used by main-glue.test.ts's single `vi.mock('electron')`
 * (the Electron binary cannot be downloaded here). It is the smallest surface our main-process
 * modules touch, and it records what they did in `fake` for the tests to inspect.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Handler = (event: unknown, ...args: unknown[]) => unknown;
export type MenuItem = { label?: string; enabled?: boolean; click?: () => void };

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  id = nextId++;
  destroyed = false;
  url = '';
  send = vi.fn();
  openHandler: (() => { action: string }) | null = null;
  isDestroyed = () => this.destroyed;
  getURL = () => this.url;
  setWindowOpenHandler = (h: () => { action: string }) => void (this.openHandler = h);
}

export class FakeBrowserWindow extends EventEmitter {
  webContents = new FakeWebContents();
  minimized = false;
  restore = vi.fn(() => void (this.minimized = false));
  show = vi.fn();
  focus = vi.fn();
  isMinimized = () => this.minimized;
  // The window and its webContents die separately (the page can go first), so two flags.
  isDestroyed = () => false;
  loadURL = vi.fn((url: string) => {
    this.webContents.url = url;
    return Promise.resolve();
  });
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    super();
    fake.windows.push(this);
  }
}

export class FakeTray extends EventEmitter {
  setImage = vi.fn();
  setToolTip = vi.fn();
  setTitle = vi.fn();
  setContextMenu = vi.fn();
  destroyed = false;
  isDestroyed = () => this.destroyed;
  destroy = () => void (this.destroyed = true);
  constructor(readonly image: unknown) {
    super();
    fake.trays.push(this);
  }
  /** the items of the last menu set */
  menu(): MenuItem[] {
    return (this.setContextMenu.mock.lastCall?.[0] as { template: MenuItem[] }).template;
  }
}

/** What the app did to Electron, for the tests to look at. */
export const fake = {
  handlers: new Map<string, Handler>(),
  windows: [] as FakeBrowserWindow[],
  trays: [] as FakeTray[],
  protocolHandle: null as null | ((req: { url: string }) => Promise<Response>),
  permissionHandler: null as null | ((wc: unknown, perm: string, cb: (ok: boolean) => void) => void),
  singleInstanceLock: true,
  /** calls the handler ipc.ts registered for `channel`, as ipcMain would */
  invoke(channel: string, event: unknown, ...args: unknown[]) {
    const handler = fake.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args) as Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
  },
  /** an invoke event as Electron builds it: the sender webContents and the sending frame */
  eventFrom(wc: { id: number }, frame: { url: string; parent: unknown } | null) {
    return { sender: wc, senderFrame: frame };
  },
  reset() {
    this.singleInstanceLock = true;
    this.handlers.clear();
    this.windows.length = 0;
    this.trays.length = 0;
    app.removeAllListeners();
    app.quit.mockClear();
    powerMonitor.removeAllListeners();
  },
};

export const app = Object.assign(new EventEmitter(), {
  requestSingleInstanceLock: vi.fn(() => fake.singleInstanceLock),
  quit: vi.fn(),
  exit: vi.fn(),
  isReady: () => true,
  whenReady: () => Promise.resolve(),
  getPath: (name: string) => `/nonexistent/herenow-test/${name}`,
});

export const dialog = { showErrorBox: vi.fn() };

/** No keystore in tests; main.ts's all-in-one memory mode never asks for one anyway. */
export const safeStorage = {
  isAsyncEncryptionAvailable: () => Promise.resolve(false),
  getSelectedStorageBackend: () => 'basic_text',
};

export const ipcMain = {
  handle: (channel: string, h: Handler) => void fake.handlers.set(channel, h),
  removeHandler: (channel: string) => void fake.handlers.delete(channel),
};

export const BrowserWindow = FakeBrowserWindow;
export const Tray = FakeTray;
export const Menu = { buildFromTemplate: (template: MenuItem[]) => ({ template }) };

export const nativeImage = {
  createFromBuffer: (buffer: Buffer) => ({
    buffer,
    reps: [] as unknown[],
    addRepresentation(rep: unknown) {
      this.reps.push(rep);
    },
    setTemplateImage: vi.fn(),
  }),
};

export const powerMonitor = new EventEmitter();

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handle: (_scheme: string, h: (req: { url: string }) => Promise<Response>) => void (fake.protocolHandle = h),
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h: typeof fake.permissionHandler) => void (fake.permissionHandler = h),
    setPermissionCheckHandler: vi.fn(),
    webRequest: { onHeadersReceived: vi.fn() },
  },
};
