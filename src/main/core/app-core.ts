/** The app core's public entry for the Electron layer (implementation in ./app/). */
export { createAppCore } from './app/app-core.ts';
export type { AppCore, AppCoreDeps } from './app/app-core.ts';
