/**
 * The command line's commands, by name: what the installed app's binary recognises as a command
 * line rather than a start of the tray app (src/main/app/launch.ts), without loading any of them.
 * run-cli.ts lists each with its module; its type holds the two lists together.
 */
export const COMMAND_NAMES = [
  'login', 'status', 'token', 'logout', 'jobs', 'exec', 'agent', 'forward', 'script-access', 'export-python', 'import-python', 'doctor',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];
