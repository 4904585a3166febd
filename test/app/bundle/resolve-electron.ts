/** `node --import tsx --import ./resolve-electron.ts dist/main/index.js`: 'electron' → the stand-in. */
import { register } from 'node:module';

const fake = new URL('./fake-electron-module.ts', import.meta.url).href;
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return next(${JSON.stringify(fake)}, context);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
