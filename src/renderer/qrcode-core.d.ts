/**
 * The encoder core of the `qrcode` package, imported alone: the window draws the SVG itself and
 * needs none of the package's canvas or string renderers. Same `create` as the package's main entry.
 */
declare module 'qrcode/lib/core/qrcode.js' {
  export { create } from 'qrcode';
}
