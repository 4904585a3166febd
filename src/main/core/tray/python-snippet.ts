/**
 * "Copy Python snippet": how a script connects with one identity without a secret in its code.
 * The script asks this app's CLI for a fresh access token each run, so the refresh token stays
 * with the app (see issue 7, "access tokens on demand").
 */
import type { IdentityStatus } from '../model.ts';
import { displayText } from '../format/display-text.ts';

export interface PythonSnippetOptions {
  /** The command that prints an access token; default `openeo-auth-tray` on the PATH. */
  command?: readonly string[];
}

/** A Python string literal. JSON's escapes (\" \\ \n \uXXXX) are valid in Python too. */
function py(value: string): string {
  return JSON.stringify(value);
}

/** Python code that connects to the identity's backend with a token from `openeo-auth-tray token <id>`. */
export function pythonSnippet(identity: IdentityStatus, opts: PythonSnippetOptions = {}): string {
  const argv = [...(opts.command ?? ['openeo-auth-tray']), 'token', identity.id].map(py).join(', ');
  return [
    'import subprocess',
    '',
    'import openeo',
    '',
    `# A fresh access token for ${py(displayText(identity.label, 60))} from openEO Auth Tray: no secret in this file.`,
    'token = subprocess.run(',
    `    [${argv}],`,
    '    capture_output=True, text=True, check=True,',
    ').stdout.strip()',
    `connection = openeo.connect(${py(identity.backend)})`,
    `connection.authenticate_oidc_access_token(token, provider_id=${py(identity.provider)})`,
    '',
  ].join('\n');
}
