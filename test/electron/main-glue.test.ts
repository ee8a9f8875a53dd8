/**
 * The main-process glue with `electron` replaced — the ONE test file that mocks it (the Electron
 * binary cannot be downloaded here); the stand-in is ./electron-fake.ts. The logic under the glue
 * (policies, views, the contract) is tested directly in the other files.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientError } from '../../client/errors.js';
import { initialSnapshot } from '../../client/types.js';
import type { ClientSnapshot } from '../../client/types.js';
import { IPC_CHANNELS } from '../../electron/ipc-contract.js';
import { app, dialog, fake, powerMonitor } from './electron-fake.js';
import type { FakeWebContents } from './electron-fake.js';
import { connectedSnapshot, fakeClient, manualClock } from './fake-client.js';
import { connectPreload } from './preload-sandbox.js';

vi.mock('electron', () => import('./electron-fake.js'));

const { setupIpc } = await import('../../electron/ipc.js');
const { setupWindow } = await import('../../electron/window.js');
const { setupTray } = await import('../../electron/tray.js');
const { setupPower } = await import('../../electron/power.js');
const { setupSingleInstance } = await import('../../electron/single-instance.js');
const { setupLifecycle } = await import('../../electron/lifecycle.js');

const { invoke, eventFrom } = fake;
const lastWindow = () => fake.windows.at(-1)!;
const windowOptions = { preload: '/app/dist/electron/preload.cjs', rendererRoot: '/app/dist/renderer', devUrl: null };

/** A shown window with IPC wired to a fake client; `ours` is an event from its main frame. */
function setup() {
  const client = fakeClient(connectedSnapshot(4));
  const win = setupWindow(windowOptions);
  win.show();
  const warn = vi.fn();
  const teardown = setupIpc(client, win, warn);
  const wc = lastWindow().webContents;
  const ours = eventFrom(wc, { url: 'app://herenow/index.html', parent: null });
  return { client, win, wc, ours, warn, teardown };
}

beforeEach(() => fake.reset());

describe('ipc', () => {
  it('answers our main frame and runs actions with validated arguments', async () => {
    const { client, ours } = setup();
    expect(await invoke(IPC_CHANNELS.getSnapshot, ours)).toEqual({ ok: true, value: connectedSnapshot(4) });
    expect(await invoke(IPC_CHANNELS.setVisible, ours, false)).toEqual({ ok: true, value: undefined });
    expect(client.setVisible).toHaveBeenCalledWith(false);
    expect(await invoke(IPC_CHANNELS.loadMoreOnline, ours)).toEqual({ ok: true, value: { users: [], nextCursor: null } });
  });

  it.each([
    ['an iframe', (wc: FakeWebContents) => eventFrom(wc, { url: 'app://herenow/index.html', parent: {} })],
    ['a foreign page', (wc: FakeWebContents) => eventFrom(wc, { url: 'https://evil.example/', parent: null })],
    ['a gone frame', (wc: FakeWebContents) => eventFrom(wc, null)],
    ['another webContents', () => eventFrom({ id: 9999 }, { url: 'app://herenow/index.html', parent: null })],
  ])('refuses %s without touching the client', async (_name, make) => {
    const { client, wc, warn } = setup();
    const event = make(wc);
    expect(await invoke(IPC_CHANNELS.getSnapshot, event)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await invoke(IPC_CHANNELS.sendMessage, event, 'hi')).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(client.sendMessage).not.toHaveBeenCalled();
    expect(client.getSnapshot).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalled();
  });

  it('returns action failures as values, never throws across IPC', async () => {
    const { client, ours } = setup();
    vi.mocked(client.leaveChat).mockRejectedValueOnce(new ClientError('not_in_chat', 'you are not in a chat'));
    const notInChat = { code: 'not_in_chat', message: 'you are not in a chat' };
    expect(await invoke(IPC_CHANNELS.leaveChat, ours)).toEqual({ ok: false, error: notInChat });
    const junk = await invoke(IPC_CHANNELS.sendMessage, ours, { text: 'not a string' });
    expect(junk).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(client.sendMessage).not.toHaveBeenCalled();
  });

  it('pushes snapshots to the live window and never to a destroyed one', () => {
    const { client, wc, teardown } = setup();
    client.emit(connectedSnapshot(5));
    expect(wc.send).toHaveBeenCalledWith(IPC_CHANNELS.snapshot, connectedSnapshot(5));
    wc.destroyed = true;
    client.emit(connectedSnapshot(6));
    expect(wc.send).toHaveBeenCalledTimes(1);
    teardown();
    expect(client.listenerCount()).toBe(0);
    expect(fake.handlers.size).toBe(0);
  });

  it('keeps the client across window close and reopen (the socket never notices)', async () => {
    const { client, win, wc } = setup();
    wc.destroyed = true;
    lastWindow().emit('closed');
    win.show();
    const reopened = lastWindow().webContents;
    expect(reopened).not.toBe(wc);
    client.emit(connectedSnapshot(8));
    expect(reopened.send).toHaveBeenCalledWith(IPC_CHANNELS.snapshot, connectedSnapshot(8));
    const fresh = eventFrom(reopened, { url: 'app://herenow/index.html', parent: null });
    expect(await invoke(IPC_CHANNELS.getSnapshot, fresh)).toMatchObject({ ok: true });
    expect(client.stop).not.toHaveBeenCalled();
    expect(client.start).not.toHaveBeenCalled();
  });
});

describe('preload (run as a sandboxed preload runs: CommonJS, `require` knows only electron)', () => {
  // Its ipcRenderer is wired to the real handlers of ipc.ts: the whole round trip, page to client.
  function loadPreload() {
    const { client, wc, ours } = setup();
    return { client, ...connectPreload({ send: wc.send, invoke: (channel, ...args) => invoke(channel, ours, ...args) }) };
  }

  it('exposes exactly the Bridge on window.herenow and round-trips requests', async () => {
    const { api, client } = loadPreload();
    expect(Object.keys(api).sort()).toEqual(['onSnapshot', ...Object.keys(IPC_CHANNELS).filter((k) => k !== 'snapshot')].sort());
    expect(await api.getSnapshot()).toEqual(connectedSnapshot(4));
    await api.setVisible(false);
    expect(client.setVisible).toHaveBeenCalledWith(false);
    await api.refreshHistory();
    await api.refreshHistory(30);
    expect(vi.mocked(client.refreshHistory).mock.calls).toEqual([[], [30]]);
  });

  it('turns a failed action into a rejection that keeps the code (a plain object survives the bridge)', async () => {
    const { api, client } = loadPreload();
    vi.mocked(client.sendMessage).mockRejectedValueOnce(new ClientError('not_in_chat', 'you are not in a chat'));
    await expect(api.sendMessage('hi')).rejects.toEqual({ name: 'ClientError', code: 'not_in_chat', message: 'you are not in a chat' });
  });

  it('delivers pushed snapshots until unsubscribed', () => {
    const { api, client, rendererSide } = loadPreload();
    const seen: number[] = [];
    const unsubscribe = api.onSnapshot((s) => seen.push(s.stats?.stats.onlineUsers ?? -1));
    client.emit(connectedSnapshot(6));
    unsubscribe();
    client.emit(connectedSnapshot(7));
    expect(seen).toEqual([6]);
    expect(rendererSide.listenerCount(IPC_CHANNELS.snapshot)).toBe(0);
  });
});

describe('window security', () => {
  it('creates a sandboxed, isolated window that cannot open windows, navigate away or get permissions', async () => {
    const win = setupWindow(windowOptions);
    win.show();
    const w = lastWindow();
    const { preload } = windowOptions;
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload });
    expect(w.webContents.openHandler?.()).toEqual({ action: 'deny' });
    const navigate = (url: string) => {
      const event = { url, preventDefault: vi.fn() };
      w.webContents.emit('will-navigate', event);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('app://herenow/index.html')).toBe(false);
    const answer = vi.fn();
    fake.permissionHandler?.(w.webContents, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
    const res = await fake.protocolHandle!({ url: 'app://herenow/../../etc/passwd' });
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('single instance', () => {
  it('a second launch restores, shows and focuses the existing window', () => {
    const win = setupWindow(windowOptions);
    expect(setupSingleInstance(() => win.show())).toBe(true);
    win.show();
    const w = lastWindow();
    w.minimized = true;
    app.emit('second-instance', {}, ['herenow'], '/');
    for (const step of [w.restore, w.show, w.focus]) expect(step).toHaveBeenCalledOnce();
    expect(fake.windows).toHaveLength(1);
  });

  it('the second instance itself is told to step aside', () => {
    fake.singleInstanceLock = false;
    expect(setupSingleInstance(() => expect.unreachable())).toBe(false);
    app.emit('second-instance', {}, [], '/');
  });
});

describe('tray', () => {
  function setup(platform: NodeJS.Platform = 'linux') {
    const client = fakeClient(initialSnapshot());
    const clock = manualClock();
    const [showWindow, quit] = [vi.fn(), vi.fn()];
    const appTray = setupTray({ client, showWindow, quit, intervalMs: 1000, platform, clock });
    const tray = fake.trays.at(-1)!;
    return { client, clock, tray, menu: () => tray.menu(), showWindow, quit, appTray };
  }

  it('shows "N online" and redraws at most once per stats interval, ending on the latest count', () => {
    const { client, clock, tray, appTray } = setup();
    expect(tray.setToolTip).toHaveBeenLastCalledWith('HereNow — connecting…');
    client.emit(connectedSnapshot(3));
    expect(tray.setToolTip).toHaveBeenLastCalledWith('3 online');
    const images = tray.setImage.mock.calls.length;
    client.emit(connectedSnapshot(4));
    client.emit(connectedSnapshot(5));
    expect(tray.setToolTip).toHaveBeenLastCalledWith('3 online');
    clock.advance(1000);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('5 online');
    expect(tray.setImage.mock.calls.length).toBe(images + 1);
    expect(tray.setTitle).not.toHaveBeenCalled(); // macOS only
    appTray.dispose();
    expect(client.listenerCount()).toBe(0);
  });

  it('does not redraw when nothing it shows changed', () => {
    const { client, clock, tray } = setup();
    client.emit(connectedSnapshot(3));
    const calls = tray.setImage.mock.calls.length + tray.setToolTip.mock.calls.length;
    clock.advance(5000);
    client.emit({ ...connectedSnapshot(3), chat: [] });
    expect(tray.setImage.mock.calls.length + tray.setToolTip.mock.calls.length).toBe(calls);
  });

  it('sets the menu-bar title on macOS', () => {
    const { client, tray } = setup('darwin');
    client.emit(connectedSnapshot(12_345));
    expect(tray.setTitle).toHaveBeenLastCalledWith('12k');
  });

  it('has Show, Hide me / Go online and Quit that do what they say', () => {
    const { client, clock, menu, showWindow, quit } = setup();
    client.emit(connectedSnapshot(3, true));
    expect(menu().map((i) => i.label)).toEqual(['Show HereNow', 'Hide me', undefined, 'Quit HereNow']);
    menu()[1]?.click?.();
    expect(client.setVisible).toHaveBeenCalledWith(false);
    clock.advance(1000);
    client.emit(connectedSnapshot(3, false));
    expect(menu()[1]?.label).toBe('Go online');
    menu()[1]?.click?.();
    expect(client.setVisible).toHaveBeenLastCalledWith(true);
    menu()[0]?.click?.();
    menu()[3]?.click?.();
    expect(showWindow).toHaveBeenCalledOnce();
    expect(quit).toHaveBeenCalledOnce();
  });
});

describe('power', () => {
  it('pauses once and resumes once however often the OS repeats its events', () => {
    const client = fakeClient();
    const dispose = setupPower(client);
    const emit = (...events: string[]) => events.forEach((e) => powerMonitor.emit(e));
    emit('suspend', 'lock-screen', 'suspend');
    expect(client.pause).toHaveBeenCalledOnce();
    emit('resume');
    expect(client.resume).not.toHaveBeenCalled(); // still locked
    emit('unlock-screen', 'unlock-screen', 'resume');
    expect(client.resume).toHaveBeenCalledOnce();
    dispose();
    emit('suspend');
    expect(client.pause).toHaveBeenCalledOnce();
  });
});

describe('lifecycle', () => {
  it('stays alive without windows and quits only after the shutdown finished', async () => {
    let finish = (): void => undefined;
    const shutdown = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const showWindow = vi.fn();
    setupLifecycle({ showWindow, shutdown });
    expect(app.listenerCount('window-all-closed')).toBe(1);
    app.emit('activate');
    expect(showWindow).toHaveBeenCalledOnce();
    const first = { preventDefault: vi.fn() };
    app.emit('before-quit', first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(app.quit).not.toHaveBeenCalled();
    finish();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledOnce());
    const second = { preventDefault: vi.fn() };
    app.emit('before-quit', second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(shutdown).toHaveBeenCalledOnce();
  });
});

describe('main.ts, all-in-one (everything real but Electron: embedded server, PresenceClient)', () => {
  it('starts the server, connects, shows the count in the tray and window, and leaves cleanly on quit', async () => {
    await import('../../electron/main.js');
    await vi.waitFor(() => expect(fake.trays[0]?.setToolTip).toHaveBeenLastCalledWith('1 online'), { timeout: 10_000 });
    expect(dialog.showErrorBox).not.toHaveBeenCalled();
    const pushed = () => lastWindow().webContents.send.mock.lastCall?.[1] as ClientSnapshot;
    expect(pushed().connection.status).toBe('connected');
    const serverUrl = pushed().serverUrl!;
    expect(serverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${serverUrl}/healthz`)).ok).toBe(true);
    const quit = { preventDefault: vi.fn() };
    app.emit('before-quit', quit);
    expect(quit.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledOnce(), { timeout: 10_000 });
    expect(pushed().connection.status).not.toBe('connected');
    await expect(fetch(`${serverUrl}/healthz`)).rejects.toThrow(); // the embedded server is closed
  });
});
