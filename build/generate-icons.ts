/**
 * Writes the packaged app's icons from the same drawing code the app uses at run time:
 *   npx tsx build/generate-icons.ts
 * build/icon.png (1024 px: electron-builder derives the .icns, .ico and Linux sizes from it) and
 * build/tray/*.png (the tray icons before the first count; shipped as extraResources).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAppIcon } from '../electron/app-icon.js';
import { renderCountIcon, renderStatusIcon } from '../electron/tray-icon.js';

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, 'tray'), { recursive: true });
writeFileSync(join(here, 'icon.png'), renderAppIcon(1024));
for (const size of [16, 32] as const) {
  const suffix = size === 32 ? '@2x' : '';
  writeFileSync(join(here, 'tray', `tray-offline${suffix}.png`), renderCountIcon(null, size));
  writeFileSync(join(here, 'tray', `trayTemplate${suffix}.png`), renderStatusIcon(false, size));
}
console.log(`icons written to ${here}`);
