/** The desktop preload's API (electron/preload.cts) is exposed on window; absent in the browser. */
import type { PreloadApi } from '../electron/preload.cjs';

declare global {
  interface Window {
    herenow?: PreloadApi;
  }
}
