/**
 * The Electron main process: only wiring, one setupX() per feature (each in its own module).
 *
 * Order matters twice. Before `ready`: the config, the app:// scheme and the single-instance
 * lock, all synchronous (an ES-module main must not top-level-await `whenReady`, or the app
 * hangs). After `ready`: the server, then the session and client, then what shows them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, nativeImage } from 'electron';
import { renderAppIcon } from './app-icon.js';
import { setupClient } from './client.js';
import { loadDesktopConfig } from './config.js';
import type { DesktopConfig } from './config.js';
import { setupEmbedded } from './embedded.js';
import { setupIpc } from './ipc.js';
import { setupLifecycle } from './lifecycle.js';
import { setupPower } from './power.js';
import { setupSession } from './session.js';
import { createShutdown } from './shutdown.js';
import { setupSingleInstance } from './single-instance.js';
import { setupTray } from './tray.js';
import { registerAppScheme, setupWindow } from './window.js';
import type { MainWindow } from './window.js';

/** How long each quit step may take before the app quits anyway. */
const SHUTDOWN_STEP_MS = 3_000;

const warn = (message: string): void => console.warn(`[herenow] ${message}`);

function fail(message: string): never {
  // showErrorBox is safe before `ready`; a desktop user would never see stderr.
  dialog.showErrorBox('HereNow could not start', message);
  app.exit(1);
  throw new Error(message);
}

function readConfig(): DesktopConfig {
  try {
    return loadDesktopConfig(process.env);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

async function start(config: DesktopConfig, windowReady: (w: MainWindow) => void): Promise<void> {
  const backend = await setupEmbedded(config, async (serverConfig) => {
    // Loaded only in all-in-one mode, so a remote-server launch never loads the server code.
    const { createPresenceServer } = await import('../server/app.js');
    return createPresenceServer(serverConfig);
  });
  const storage = await setupSession(backend.sessionKey, warn);
  const client = setupClient(backend.serverUrl, storage, warn);

  const rendererRoot = fileURLToPath(new URL('../renderer/', import.meta.url));
  if (config.rendererUrl === null && !existsSync(join(rendererRoot, 'index.html'))) {
    warn(`no renderer build in ${rendererRoot}: run \`npm run build\` first`);
  }
  const window = setupWindow({
    preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
    rendererRoot,
    devUrl: config.rendererUrl,
    icon: nativeImage.createFromBuffer(renderAppIcon(256)),
  });
  windowReady(window);

  setupIpc(client, window, warn);
  const tray = setupTray({
    client,
    showWindow: () => window.show(),
    quit: () => app.quit(),
    intervalMs: config.trayIntervalMs,
    warn,
  });
  setupPower(client);
  setupLifecycle({
    showWindow: () => window.show(),
    shutdown: createShutdown(
      [
        { name: 'the presence client', run: () => client.stop() },
        { name: 'the embedded server', run: () => backend.close() },
        { name: 'the tray', run: async () => tray.dispose() },
      ],
      SHUTDOWN_STEP_MS,
      warn,
    ),
  });

  window.show();
  client.start().catch((err: unknown) => warn(`client failed to start: ${err instanceof Error ? err.message : String(err)}`));
}

const config = readConfig();
registerAppScheme();
let mainWindow: MainWindow | null = null;
if (!setupSingleInstance(() => mainWindow?.show())) {
  // Another HereNow is running; it has been told to show its window.
  app.quit();
} else {
  app
    .whenReady()
    .then(() => start(config, (w) => (mainWindow = w)))
    .catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
}
