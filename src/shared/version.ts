/** The product's version: package.json is its one source (the CLI, the agent and the window show it). */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
