// The Windows installer's part of the command line (assets/windows/installer.nsh: the user's PATH
// gets bin\, where bin\openeo-auth-tray.cmd is) cannot run here: no Windows. What can be checked
// is that NSIS compiles it as electron-builder will, warnings being errors (-WX), in both of
// electron-builder's passes — the installer, and the uninstaller with BUILD_UNINSTALLER — with
// Debian's makensis; and that a broken script fails that check. Skipped without makensis, except
// under CI, where `.ci/run` installs the Debian package nsis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NSH = join(ROOT, 'assets/windows/installer.nsh');
const makensis = spawnSync('makensis', ['-VERSION'], { encoding: 'utf8' });
const missing = makensis.error ? 'makensis is not installed (Debian package nsis)' : null;

/** A minimal installer around the include, the way electron-builder inserts its macros. */
const HARNESS = `Unicode true
Name "openEO Auth Tray"
OutFile "\${OUT}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\\Programs\\openEO Auth Tray"
!include "\${NSH}"
Section
!ifdef BUILD_UNINSTALLER
  WriteUninstaller "$INSTDIR\\uninstall.exe"
!else
  !insertmacro customInstall
!endif
SectionEnd
!ifdef BUILD_UNINSTALLER
Section "Uninstall"
  !insertmacro customUnInstall
SectionEnd
!endif
`;

function compile(nsh: string, uninstaller: boolean): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'oat-nsis-'));
  try {
    writeFileSync(join(dir, 'harness.nsi'), HARNESS);
    const r = spawnSync('makensis', ['-WX', '-V2', `-DOUT=${join(dir, 'out.exe')}`, `-DNSH=${nsh}`, ...(uninstaller ? ['-DBUILD_UNINSTALLER'] : []), join(dir, 'harness.nsi')], { encoding: 'utf8', timeout: 60_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const options = missing && !process.env.CI ? { skip: missing } : {};

test('installer.nsh compiles with makensis -WX as the installer and as the uninstaller', options, () => {
  assert.equal(missing, null, missing ?? '');
  for (const uninstaller of [false, true]) {
    const r = compile(NSH, uninstaller);
    assert.ok(r.ok, `${uninstaller ? 'uninstaller' : 'installer'} pass:\n${r.output}`);
  }
});

test('…and a broken one does not (so the check above can fail)', options, () => {
  const dir = mkdtempSync(join(tmpdir(), 'oat-nsis-broken-'));
  try {
    const broken = join(dir, 'broken.nsh');
    writeFileSync(broken, readFileSync(NSH, 'utf8').replace('Call OatPathHas', 'Call OatPathHass'));
    assert.equal(compile(broken, false).ok, false);
    writeFileSync(broken, readFileSync(NSH, 'utf8').replace('Call un.OatPathWithout', 'Call OatPathWithout'));
    assert.equal(compile(broken, true).ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the PATH entry is the folder of the shipped launcher, added once, written as REG_EXPAND_SZ, and taken out at uninstall', () => {
  const nsh = readFileSync(NSH, 'utf8');
  assert.match(nsh, /StrCpy \$R1 "\$INSTDIR\\bin"/);
  assert.match(nsh, /Call OatPathHas\n\s+StrCmp \$R2 1 oat_install_done/, 'not added twice');
  assert.doesNotMatch(nsh, /WriteRegStr HKCU "Environment"/, 'never REG_SZ: %VARS% in the PATH must stay expandable');
  assert.match(nsh, /WM_SETTINGCHANGE/);
  const builder = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
  assert.match(builder, /from: assets\/windows\/openeo-auth-tray\.cmd\n\s+to: bin\/openeo-auth-tray\.cmd/);
  assert.match(builder, /include: assets\/windows\/installer\.nsh/);
});
