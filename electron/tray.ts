/**
 * The tray: the online count drawn into the icon (title beside it on macOS), a tooltip
 * "N online", and a menu (Show, Go online / Hide me, Quit). Redrawn at most once per stats
 * interval and only when what it shows changed; the words and pixels come from pure modules.
 */
import { Menu, Tray, nativeImage } from 'electron';
import type { NativeImage } from 'electron';
import type { ClientSnapshot, PresenceClientApi } from '../client/types.js';
import { createThrottle, realClock } from './throttle.js';
import type { Clock } from './throttle.js';
import { renderCountIcon, renderStatusIcon } from './tray-icon.js';
import { sameTrayView, trayView } from './tray-model.js';
import type { TrayView } from './tray-model.js';

export interface TrayOptions {
  client: Pick<PresenceClientApi, 'getSnapshot' | 'subscribe' | 'setVisible'>;
  showWindow: () => void;
  quit: () => void;
  /** the most often the tray redraws (the stats broadcast interval) */
  intervalMs: number;
  platform?: NodeJS.Platform;
  clock?: Clock;
  warn?: (message: string) => void;
}

export interface AppTray {
  readonly tray: Tray;
  dispose(): void;
}

/** Builds the icon: a 16 px image with a 32 px representation for HiDPI screens. */
function trayImage(view: TrayView, platform: NodeJS.Platform): NativeImage {
  // macOS draws the count as the title in the menu bar's own font; the icon stays a status dot.
  const mac = platform === 'darwin';
  const render = (size: 16 | 32): Buffer => (mac ? renderStatusIcon(view.count !== null, size) : renderCountIcon(view.count, size));
  const image = nativeImage.createFromBuffer(render(16), { scaleFactor: 1 });
  image.addRepresentation({ scaleFactor: 2, buffer: render(32) });
  if (mac) image.setTemplateImage(true);
  return image;
}

/** Creates the tray and keeps it in step with the client's snapshots. */
export function setupTray(options: TrayOptions): AppTray {
  const { client, showWindow, quit, intervalMs, platform = process.platform, clock = realClock } = options;
  const warn = options.warn ?? (() => undefined);
  const first = trayView(client.getSnapshot());
  const tray = new Tray(trayImage(first, platform));
  let shown: TrayView | null = null;

  const buildMenu = (view: TrayView): Menu =>
    Menu.buildFromTemplate([
      { label: 'Show HereNow', click: () => showWindow() },
      {
        label: view.visibilityLabel,
        enabled: view.visibilityEnabled,
        click: () => {
          client.setVisible(view.visibilityLabel === 'Go online').catch((err: unknown) => {
            warn(`could not change visibility: ${err instanceof Error ? err.message : String(err)}`);
          });
        },
      },
      { type: 'separator' },
      { label: 'Quit HereNow', click: () => quit() },
    ]);

  const apply = (view: TrayView): void => {
    if (tray.isDestroyed() || sameTrayView(shown, view)) return;
    if (shown === null || shown.count !== view.count) tray.setImage(trayImage(view, platform));
    if (shown?.tooltip !== view.tooltip) tray.setToolTip(view.tooltip);
    if (platform === 'darwin' && shown?.title !== view.title) tray.setTitle(view.title);
    if (shown?.visibilityLabel !== view.visibilityLabel || shown.visibilityEnabled !== view.visibilityEnabled) {
      tray.setContextMenu(buildMenu(view));
    }
    shown = view;
  };

  apply(first);
  // On Windows and Linux a left click is the natural "open"; macOS opens the menu instead.
  if (platform !== 'darwin') tray.on('click', () => showWindow());

  const throttle = createThrottle<ClientSnapshot>(intervalMs, (snapshot) => apply(trayView(snapshot)), clock);
  const unsubscribe = client.subscribe((snapshot) => throttle.push(snapshot));

  return {
    tray,
    dispose() {
      unsubscribe();
      throttle.cancel();
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
