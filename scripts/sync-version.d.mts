// Types of scripts/sync-version.mjs for the TypeScript tests that import it.
export function versionFileText(version: string): string;
