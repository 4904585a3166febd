/** The small pages the loopback listener shows in the browser at the end of a sign-in. */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, heading: string, text: string, ok: boolean): string {
  const accent = ok ? '#1a7f37' : '#b3261e';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center;background:#f6f7f9;color:#1f2328}
main{background:#fff;border-radius:12px;padding:2rem 2.5rem;max-width:32rem;box-shadow:0 1px 4px rgba(0,0,0,.12);border-top:6px solid ${accent}}
h1{font-size:1.4rem;margin:0 0 .75rem}p{line-height:1.5;margin:0}
@media (prefers-color-scheme: dark){body{background:#0d1117;color:#e6edf3}main{background:#161b22}}
</style></head>
<body><main><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(text)}</p></main></body></html>`;
}

/** "Signed in — you can close this tab". */
export function successPage(): string {
  return page('Signed in — openEO Auth Tray', 'Signed in — you can close this tab',
    'openEO Auth Tray received your login and keeps it alive from now on.', true);
}

/** A failure page that says what happened and what to do. Text is escaped. */
export function failurePage(heading: string, whatToDo: string): string {
  return page(`${heading} — openEO Auth Tray`, heading, whatToDo, false);
}
