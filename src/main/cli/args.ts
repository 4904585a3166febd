/**
 * Each command's arguments, declared once: the table that parses them (on node:util's parseArgs)
 * is the table `help` and `<command> --help` are written from, so the two cannot drift.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './output.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What the value is, in the help (`--backend URL`). */
  value?: string;
  help: string;
  /** For the program's own use (a detached agent's start); not in the help. */
  hidden?: boolean;
}

export interface CommandSpec {
  name: string;
  /** Its positional arguments as the help shows them, e.g. `<backend-url>`, `[<id>]`. */
  args: string;
  summary: string;
  options: Readonly<Record<string, OptionSpec>>;
  maxPositionals: number;
  /** Anything after the options, e.g. `-- <command…>` for exec. */
  trailing?: string;
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** `<command> --help`: the caller prints the command's help and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly spec: CommandSpec) {
    super(`help for ${spec.name}`);
  }
}

/** Parses `argv` by the command's table; unknown flags and missing values become a UsageError. */
export function parse(argv: string[], spec: CommandSpec): Parsed {
  if (argv.some((a) => a === '--help' || a === '-h')) throw new HelpRequested(spec);
  const options: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(Object.entries(spec.options).map(([k, o]) => [k, { type: o.type }]));
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (positionals.length > spec.maxPositionals) throw new UsageError(`unexpected argument "${positionals[spec.maxPositionals]}"`);
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify.*$/s, '') : String(e));
  }
}

/** `openeo-auth-tray token [<id>] [--json] [--backend URL] …` */
export function usageLine(spec: CommandSpec): string {
  const opts = Object.entries(spec.options).filter(([, o]) => !o.hidden).map(([k, o]) => `[--${k}${o.value ? ` ${o.value}` : ''}]`);
  return ['openeo-auth-tray', spec.name, spec.args, ...opts, spec.trailing ?? ''].filter(Boolean).join(' ');
}

/** What `<command> --help` prints. */
export function commandHelp(spec: CommandSpec): string {
  const shown = Object.entries(spec.options).filter(([, o]) => !o.hidden);
  const width = Math.max(0, ...shown.map(([k, o]) => k.length + (o.value ? o.value.length + 1 : 0))) + 4;
  const lines = shown.map(([k, o]) => `  --${`${k}${o.value ? ` ${o.value}` : ''}`.padEnd(width - 2)}${o.help}`);
  return `${usageLine(spec)}\n\n${wrap(spec.summary, 100)}\n${lines.length ? `\nOptions:\n${lines.join('\n')}\n` : ''}`;
}

/** `text` in lines of at most `width` characters, broken between words. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A non-negative number of seconds. */
export function seconds(v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n)) throw new UsageError(`${name} needs a number of seconds, not "${String(v)}"`);
  return n;
}
