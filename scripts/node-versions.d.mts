// Types of scripts/node-versions.mjs for the TypeScript tests that import it.
export const TOOLING_NODE: string;
export const TOOLING_PACKAGES: string[];
export function packagesRefusing(lock: { packages?: Record<string, { engines?: { node?: string } }> }, nodeVersion: string, satisfies: (version: string, range: string) => boolean): string[];
export function nodeNote(nodeVersion: string): string | null;
