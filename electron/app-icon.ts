/**
 * The HereNow app icon, drawn in code like the tray icons (pure, pngjs): a green rounded square
 * with a white "you are here" mark — a dot inside a ring. build/generate-icons.ts writes it to
 * build/ for electron-builder; window.ts uses it as the window icon (Linux shows it in the dock).
 */
import { Bitmap, disc, roundedRect } from './bitmap.js';

const BACKGROUND = [22, 163, 74, 255] as const;
const MARK = [255, 255, 255, 255] as const;

/** Renders the app icon as a `size`×`size` PNG. */
export function renderAppIcon(size: number): Buffer {
  const bmp = new Bitmap(size, size);
  // macOS's icon grid leaves a margin around the tile; the other platforms do not mind it.
  const inset = size * 0.08;
  const tile = size - 2 * inset;
  bmp.fillShape(roundedRect(inset, inset, tile, tile, tile * 0.225), BACKGROUND);
  const c = size / 2;
  bmp.fillShape(disc(c, c, tile * 0.3, tile * 0.22), MARK);
  bmp.fillShape(disc(c, c, tile * 0.12), MARK);
  return bmp.toPng();
}
