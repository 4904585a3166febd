/**
 * "Copy Python snippet": how a script connects with one identity through the Python bridge
 * (`python/`, import name `openeo_auth_tray`). The bridge asks this app's CLI for access tokens
 * and renews them itself before they end, so a script stays signed in for as long as the login
 * lives, while the refresh token (or a client secret) never leaves the app.
 */
import type { IdentityStatus } from '../../../shared/model.ts';
import { displayText } from '../../../shared/format/display-text.ts';
import { commandLine } from '../exec/cli-command-line.ts';

export interface PythonSnippetOptions {
  /** How to run the CLI when `openeo-auth-tray` is not on the PATH (e.g. a packaged CLI). */
  command?: readonly string[];
  /** Platform whose quoting `command` gets (default: this one). */
  platform?: NodeJS.Platform;
}

/** A Python string literal. JSON's escapes (\" \\ \n \uXXXX) are valid in Python too. */
function py(value: string): string {
  return JSON.stringify(value);
}

/** Python code that connects to the identity's backend with self-renewing tokens from the app. */
export function pythonSnippet(identity: IdentityStatus, opts: PythonSnippetOptions = {}): string {
  const lines = [
    '# Needs the openEO Auth Tray bridge, once: pip install <the python/ folder of openEO Auth Tray>',
    '# Tokens come from the app and renew themselves; no secret is in this file.',
  ];
  if (opts.command) {
    lines.push('import os', '');
    lines.push(`os.environ.setdefault("OPENEO_AUTH_TRAY_CLI", ${py(commandLine(opts.command, opts.platform ?? process.platform))})`);
  }
  lines.push(
    'import openeo_auth_tray',
    '',
    `# ${py(displayText(identity.label, 60))} at ${py(displayText(identity.backend, 120))}`,
    `connection = openeo_auth_tray.connect(identity=${py(identity.id)})`,
    '',
  );
  return lines.join('\n');
}
