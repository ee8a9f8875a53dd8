/**
 * A tiny RGBA canvas for the app's generated images (tray count icons, the app icon), encoded
 * with pngjs. Shapes are antialiased by supersampling so a 16 px badge does not look jagged.
 */
import { PNG } from 'pngjs';

export type Rgba = readonly [number, number, number, number];

export class Bitmap {
  readonly data: Buffer;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 4);
  }

  /** Blends `color` over the pixel with the given coverage (0..1). Out-of-range is ignored. */
  blend(x: number, y: number, color: Rgba, coverage = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || coverage <= 0) return;
    const i = (y * this.width + x) * 4;
    const a = (color[3] / 255) * Math.min(1, coverage);
    const under = (this.data[i + 3] ?? 0) / 255;
    const out = a + under * (1 - a);
    for (let c = 0; c < 3; c++) {
      const mixed = out === 0 ? 0 : (color[c]! * a + (this.data[i + c] ?? 0) * under * (1 - a)) / out;
      this.data[i + c] = Math.round(mixed);
    }
    this.data[i + 3] = Math.round(out * 255);
  }

  /** Fills a whole-pixel rectangle (the pixel font's dots). */
  fillRect(x: number, y: number, w: number, h: number, color: Rgba): void {
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) this.blend(xx, yy, color);
  }

  /** Fills every pixel for which `inside(px, py)` holds, sampling 4×4 points per pixel. */
  fillShape(inside: (px: number, py: number) => boolean, color: Rgba): void {
    const n = 4;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        let hits = 0;
        for (let sy = 0; sy < n; sy++) {
          for (let sx = 0; sx < n; sx++) if (inside(x + (sx + 0.5) / n, y + (sy + 0.5) / n)) hits++;
        }
        this.blend(x, y, color, hits / (n * n));
      }
    }
  }

  /** The RGBA value at (x, y), for tests. */
  pixel(x: number, y: number): Rgba {
    const i = (y * this.width + x) * 4;
    return [this.data[i] ?? 0, this.data[i + 1] ?? 0, this.data[i + 2] ?? 0, this.data[i + 3] ?? 0];
  }

  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    this.data.copy(png.data);
    return PNG.sync.write(png);
  }
}

/** Inside-test of a rounded rectangle with corner radius `r`. */
export function roundedRect(x: number, y: number, w: number, h: number, r: number) {
  return (px: number, py: number): boolean => {
    if (px < x || py < y || px > x + w || py > y + h) return false;
    const cx = Math.min(Math.max(px, x + r), x + w - r);
    const cy = Math.min(Math.max(py, y + r), y + h - r);
    return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
  };
}

/** Inside-test of a disc, or of a ring when `inner` > 0. */
export function disc(cx: number, cy: number, outer: number, inner = 0) {
  return (px: number, py: number): boolean => {
    const d2 = (px - cx) ** 2 + (py - cy) ** 2;
    return d2 <= outer * outer && d2 >= inner * inner;
  };
}
