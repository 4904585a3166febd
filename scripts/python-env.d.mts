// Types of scripts/python-env.mjs for the TypeScript tests that import it.
export type EnvironmentName = 'build' | 'newest' | 'oldest';
export function environmentsDir(env?: NodeJS.ProcessEnv): string;
export function environmentPython(name: EnvironmentName, env?: NodeJS.ProcessEnv): string;
export function pinnedOpeneo(name: EnvironmentName): string;
