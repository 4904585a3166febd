/** What the preload puts on the window (src/preload/preload.ts), for the renderer's type checker. */
import type { OpenEoAuthApi } from '../shared/api.ts';

declare global {
  interface Window {
    openeoAuth: OpenEoAuthApi;
  }
}
