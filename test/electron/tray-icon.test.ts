/**
 * The tray icon renderer on its own: decoded PNGs have the right size, different counts draw
 * different pixels, and every label fits. Example icons (and an 8× contact sheet) are written
 * to test-output/tray-icons/ so a person can look at them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { Bitmap } from '../../electron/bitmap.js';
import { TRAY_ICON_SIZES, layoutLabel, renderCountIcon, renderStatusIcon } from '../../electron/tray-icon.js';
import { formatCount } from '../../electron/tray-model.js';

const OUT = join(process.cwd(), 'test-output', 'tray-icons');
const SAMPLES: (number | null)[] = [null, 0, 7, 42, 999, 1234, 12_345, 999_999, 5_000_000];

const decode = (buf: Buffer) => PNG.sync.read(buf);

/** How many pixels differ between two equally sized decoded images. */
function differingPixels(a: PNG, b: PNG): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data.readUInt32BE(i) !== b.data.readUInt32BE(i)) n++;
  }
  return n;
}

/** White pixels: the digits' ink (the badge is green or grey, the corners transparent). */
function inkPixels(img: PNG): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    if (img.data[i] === 255 && img.data[i + 1] === 255 && img.data[i + 2] === 255 && img.data[i + 3] === 255) n++;
  }
  return n;
}

describe('renderCountIcon', () => {
  it.each(TRAY_ICON_SIZES)('decodes to a %dpx square with ink in it', (size) => {
    for (const count of SAMPLES) {
      const img = decode(renderCountIcon(count, size));
      expect([img.width, img.height]).toEqual([size, size]);
      expect(inkPixels(img)).toBeGreaterThan(0);
    }
  });

  it.each(TRAY_ICON_SIZES)('draws different pixels for different counts at %dpx', (size) => {
    const images = SAMPLES.map((c) => decode(renderCountIcon(c, size)));
    for (let i = 0; i < images.length; i++) {
      for (let j = i + 1; j < images.length; j++) {
        expect(differingPixels(images[i]!, images[j]!), `${SAMPLES[i]} vs ${SAMPLES[j]}`).toBeGreaterThan(0);
      }
    }
    // digits that differ in one stroke still differ: 8 has the middle bar 0 lacks
    expect(differingPixels(decode(renderCountIcon(0, size)), decode(renderCountIcon(8, size)))).toBeGreaterThan(0);
  });

  it('is deterministic (same count, same bytes)', () => {
    expect(renderCountIcon(1234, 16).equals(renderCountIcon(1234, 16))).toBe(true);
  });

  it('colours the badge green when counting and grey without numbers', () => {
    // (1, 2) is inside the badge but left of any glyph
    const at = (img: PNG) => [...img.data.subarray((16 * 2 + 1) * 4, (16 * 2 + 1) * 4 + 4)];
    expect(at(decode(renderCountIcon(1, 16)))).toEqual([22, 163, 74, 255]);
    expect(at(decode(renderCountIcon(null, 16)))).toEqual([107, 114, 128, 255]);
    // the corners stay transparent, so the badge sits on any tray colour
    expect(decode(renderCountIcon(1, 16)).data[3]).toBe(0);
  });

  it('fits every compact label at both sizes, bigger when short', () => {
    for (let n = 0; n < 2_000_000; n += 1_013) {
      for (const size of TRAY_ICON_SIZES) expect(layoutLabel(formatCount(n), size).scale).toBeGreaterThanOrEqual(1);
    }
    expect(layoutLabel('7', 32).scale).toBeGreaterThan(layoutLabel('999', 32).scale);
    // 999k+ does not fit one line at 16px: the suffix goes under the digits
    expect(layoutLabel('999k+', 16)).toEqual({ lines: ['999', 'k+'], scale: 1 });
  });
});

describe('renderStatusIcon', () => {
  it('is a template image (black + alpha) that differs between connected and not', () => {
    const on = decode(renderStatusIcon(true, 32));
    const off = decode(renderStatusIcon(false, 32));
    expect([on.width, on.height]).toEqual([32, 32]);
    for (let i = 0; i < on.data.length; i += 4) expect([on.data[i], on.data[i + 1], on.data[i + 2]]).toEqual([0, 0, 0]);
    expect(differingPixels(on, off)).toBeGreaterThan(0);
    expect(on.data[(16 * 32 + 16) * 4 + 3]).toBe(255); // a filled dot...
    expect(off.data[(16 * 32 + 16) * 4 + 3]).toBe(0); // ...and a ring
  });
});

describe('example icons for people to look at', () => {
  it('writes each sample and an 8× contact sheet to test-output/tray-icons/', () => {
    mkdirSync(OUT, { recursive: true });
    const zoom = 8;
    const cell = 32 * zoom + 16;
    const sheet = new Bitmap(cell * SAMPLES.length, cell * 2);
    sheet.fillRect(0, 0, sheet.width, sheet.height, [240, 240, 240, 255]);
    SAMPLES.forEach((count, col) => {
      TRAY_ICON_SIZES.forEach((size, row) => {
        const png = renderCountIcon(count, size);
        writeFileSync(join(OUT, `count-${count === null ? 'none' : formatCount(count)}-${size}.png`), png);
        const img = decode(png);
        for (let y = 0; y < size * zoom; y++) {
          for (let x = 0; x < size * zoom; x++) {
            const i = ((Math.floor(y / zoom) * size + Math.floor(x / zoom)) * 4);
            const rgba = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!, img.data[i + 3]!] as const;
            sheet.blend(col * cell + 8 + x, row * cell + 8 + y, rgba);
          }
        }
      });
    });
    writeFileSync(join(OUT, 'sheet.png'), sheet.toPng());
    expect(decode(sheet.toPng()).width).toBe(cell * SAMPLES.length);
  });
});
