// The stand-in is only worth something if it is held to Electron's .d.ts. This compiles small
// programs with the project's compiler options and checks that the wrong ones fail: app code
// calling Electron wrongly, a fake drifting from Electron's signatures, a port claiming something
// Electron does not have — and that the right one compiles (the control).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../', import.meta.url));
const at = (p: string): string => JSON.stringify(join(root, p));

const SNIPPETS: Record<string, { expectError: RegExp | null; code: string }> = {
  'control.mts': {
    expectError: null,
    code: `
      import type { TrayIcon } from ${at('src/main/app/tray.ts')};
      import type { TrayAppElectron } from ${at('src/main/app/start.ts')};
      import { createFakeElectron } from ${at('test/app/fake-electron.ts')};
      declare const tray: TrayIcon;
      tray.setToolTip('2 logins active');
      createFakeElectron({ appPath: '/' }).electron satisfies TrayAppElectron;
    `,
  },
  'app-calls-with-wrong-type.mts': {
    expectError: /Argument of type 'number' is not assignable to parameter of type 'string'/,
    code: `
      import type { TrayIcon } from ${at('src/main/app/tray.ts')};
      declare const tray: TrayIcon;
      tray.setToolTip(42);
    `,
  },
  'app-calls-unknown-event.mts': {
    expectError: /No overload matches this call/,
    code: `
      import type { PowerElectron } from ${at('src/main/app/power.ts')};
      declare const e: PowerElectron;
      e.powerMonitor.on('wake-up', () => {});
    `,
  },
  'app-uses-sync-clipboard.mts': {
    expectError: /Type 'Promise<string>' is not assignable to type 'string'/,
    code: `
      import type { ClipboardElectron } from ${at('src/main/app/clipboard.ts')};
      declare const e: ClipboardElectron;
      const text: string = e.clipboard.readText();
    `,
  },
  'fake-drifts.mts': {
    expectError: /does not satisfy the expected type 'TrayIcon'/,
    code: `
      import type { TrayIcon } from ${at('src/main/app/tray.ts')};
      import { FakeTray } from ${at('test/app/fake-electron.ts')};
      class DriftingTray extends FakeTray {
        override setToolTip(_toolTip: string, _extra: number): void {}
      }
      new DriftingTray('x') satisfies TrayIcon;
    `,
  },
  'port-claims-too-much.mts': {
    expectError: /Property 'setBadgeCount' is missing in type 'Tray'/,
    code: `
      import { Tray } from 'electron';
      // A port promising a method Electron's Tray does not have cannot be fed the real Tray.
      interface Port { Tray: new (image: string) => { setBadgeCount(n: number): void } }
      ({ Tray }) satisfies Port;
    `,
  },
};

test('wrong Electron calls and a drifting fake fail the type check; the right ones pass', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openeo-auth-tray-types-'));
  try {
    const files = Object.entries(SNIPPETS).map(([name, { code }]) => {
      const file = join(dir, name);
      writeFileSync(file, code);
      return file;
    });
    const config = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram(files, { ...parsed.options, noEmit: true, typeRoots: [join(root, 'node_modules/@types')] });
    for (const [name, { expectError }] of Object.entries(SNIPPETS)) {
      const source = program.getSourceFile(join(dir, name));
      assert.ok(source, name);
      const messages = ts.getPreEmitDiagnostics(program, source)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      if (expectError === null) assert.deepEqual(messages, [], `${name} should compile`);
      else assert.ok(messages.some((m) => expectError.test(m)), `${name} should fail with ${expectError}; got:\n${messages.join('\n')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
