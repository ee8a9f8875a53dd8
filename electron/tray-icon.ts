/**
 * Renders the tray icon with the online count drawn into it, as PNG bytes (pure: no electron).
 * A 3×5 bitmap font scaled by whole pixels keeps digits crisp at 16 and 32 px, where a vector
 * font would blur. The layout picks the biggest scale that fits, and puts a suffix ("k", "k+")
 * on a second line when that lets the digits be drawn larger.
 */
import { Bitmap, disc, roundedRect } from './bitmap.js';
import type { Rgba } from './bitmap.js';
import { formatCount } from './tray-model.js';

export const TRAY_ICON_SIZES = [16, 32] as const;
export type TrayIconSize = (typeof TRAY_ICON_SIZES)[number];

const ONLINE: Rgba = [22, 163, 74, 255];
const OFFLINE: Rgba = [107, 114, 128, 255];
const INK: Rgba = [255, 255, 255, 255];
const TEMPLATE: Rgba = [0, 0, 0, 255];

/** Each glyph: rows of equal width, '#' = ink. Widths vary ('.' is one column). */
const FONT: Record<string, readonly string[]> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  k: ['#..', '#.#', '##.', '#.#', '#.#'],
  '.': ['.', '.', '.', '.', '#'],
  '+': ['...', '.#.', '###', '.#.', '...'],
  '-': ['...', '...', '###', '...', '...'],
};
const GLYPH_HEIGHT = 5;

function glyph(ch: string): readonly string[] {
  const g = FONT[ch];
  if (!g) throw new Error(`tray font has no glyph for ${JSON.stringify(ch)}`);
  return g;
}

/** Width of `text` in font units (glyph widths plus one-unit gaps). */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += (glyph(ch)[0]?.length ?? 0) + 1;
  return Math.max(0, w - 1);
}

interface Layout {
  lines: string[];
  scale: number;
}

/** The largest whole-pixel scale at which `lines` fit in a `room`×`room` square. */
function fitScale(lines: string[], room: number): number {
  const width = Math.max(...lines.map(textWidth));
  const height = lines.length * GLYPH_HEIGHT + (lines.length - 1);
  return Math.floor(Math.min(room / width, room / height));
}

/** Chooses one line, or digits over suffix, whichever draws bigger (one line wins ties). */
export function layoutLabel(label: string, size: number): Layout {
  const room = size - 2 * padding(size);
  const options: string[][] = [[label]];
  const split = /^([\d.]+)(\D+)$/.exec(label);
  if (split?.[1] && split[2]) options.push([split[1], split[2]]);
  let best: Layout = { lines: [label], scale: 0 };
  for (const lines of options) {
    const scale = fitScale(lines, room);
    if (scale > best.scale) best = { lines, scale };
  }
  if (best.scale < 1) throw new Error(`label ${label} does not fit a ${size}px icon`);
  return best;
}

function padding(size: number): number {
  return Math.max(1, Math.round(size / 16));
}

function drawText(bmp: Bitmap, text: string, x0: number, y0: number, scale: number): void {
  let x = x0;
  for (const ch of text) {
    const rows = glyph(ch);
    rows.forEach((row, y) => {
      for (let gx = 0; gx < row.length; gx++) {
        if (row[gx] === '#') bmp.fillRect(x + gx * scale, y0 + y * scale, scale, scale, INK);
      }
    });
    x += ((rows[0]?.length ?? 0) + 1) * scale;
  }
}

/**
 * The tray icon for `count` people online (null: no numbers yet, drawn grey with a dash), as a
 * `size`×`size` PNG: a green rounded badge with the compact count in white.
 */
export function renderCountIcon(count: number | null, size: TrayIconSize): Buffer {
  const bmp = new Bitmap(size, size);
  bmp.fillShape(roundedRect(0, 0, size, size, size / 4), count === null ? OFFLINE : ONLINE);
  const { lines, scale } = layoutLabel(count === null ? '-' : formatCount(count), size);
  const lineHeight = GLYPH_HEIGHT * scale;
  const total = lines.length * lineHeight + (lines.length - 1) * scale;
  let y = Math.floor((size - total) / 2);
  for (const line of lines) {
    drawText(bmp, line, Math.floor((size - textWidth(line) * scale) / 2), y, scale);
    y += lineHeight + scale;
  }
  return bmp.toPng();
}

/**
 * The macOS menu-bar icon: a template image (black + alpha, tinted by the system for light and
 * dark bars) — a dot when connected, a ring when not. The count itself goes in `setTitle`,
 * drawn in the menu bar's own font, so it is not repeated in the icon.
 */
export function renderStatusIcon(connected: boolean, size: TrayIconSize): Buffer {
  const bmp = new Bitmap(size, size);
  const c = size / 2;
  const r = size * 0.3;
  bmp.fillShape(disc(c, c, r, connected ? 0 : r - Math.max(1.5, size / 10)), TEMPLATE);
  return bmp.toPng();
}
