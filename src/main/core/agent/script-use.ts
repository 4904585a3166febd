/**
 * What scripts did with each login through the agent: when one last had a token, what it called
 * itself (unverified), and how many tokens were handed out in the last hour. Never a token.
 *
 * Kept in memory and in `script-use.json` in the settings folder (mode 0600), written at most
 * every few seconds, so that `status` in another process and the app after a restart show it.
 * Bounded: one entry per identity, a count per minute for the last hour.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit, writeTemporary } from '../python/atomic-file.ts';
import { peerLine } from '../../../shared/format/peer-text.ts';
import { systemTimers, type Clock, type TimerHandle, type Timers } from '../ports.ts';
import { IDENTITY_ID_PATTERN } from '../../../shared/settings.ts';
import { MAX_HINT } from './protocol.ts';

export const SCRIPT_USE_FILE = 'script-use.json';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Entries kept (as many as the settings file may hold identities). */
const MAX_ENTRIES = 500;
const MAX_FILE_BYTES = 1024 * 1024;

/** One login's use by scripts. */
export interface ScriptUse {
  /** When a script last had a token, epoch ms. */
  lastAt: number;
  /** What that script called itself ("" when it said nothing); unverified. */
  lastHint: string;
  /** Tokens handed out in the last hour. */
  lastHour: number;
}

interface Entry {
  lastAt: number;
  lastHint: string;
  /** [minute (epoch ms / 60 000), tokens handed out in it], oldest first, the last hour only. */
  minutes: Array<[number, number]>;
}

export function scriptUseFile(settingsFolder: string): string {
  return join(settingsFolder, SCRIPT_USE_FILE);
}

function lastHour(entry: Entry, now: number): number {
  const from = Math.floor((now - HOUR) / MINUTE);
  const to = Math.floor(now / MINUTE);
  let n = 0;
  // Minutes "in the future" (a file from a clock that was ahead) do not count.
  for (const [minute, count] of entry.minutes) if (minute > from && minute <= to) n += count;
  return n;
}

/** The file's entries, checked field by field; a damaged or missing file is an empty record. */
function readEntries(file: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length > MAX_FILE_BYTES) return out;
    raw = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [id, v] of Object.entries(raw as Record<string, unknown>).slice(0, MAX_ENTRIES)) {
    if (!IDENTITY_ID_PATTERN.test(id) || typeof v !== 'object' || v === null) continue;
    const { last_at: lastAt, last_hint: lastHint, minutes } = v as Record<string, unknown>;
    if (typeof lastAt !== 'number' || !Number.isFinite(lastAt) || lastAt < 0) continue;
    const kept: Array<[number, number]> = Array.isArray(minutes)
      ? minutes.slice(-60).filter((m): m is [number, number] => Array.isArray(m) && m.length === 2 && m.every((x) => Number.isSafeInteger(x) && (x as number) >= 0))
      : [];
    out.set(id, { lastAt, lastHint: typeof lastHint === 'string' ? peerLine(lastHint, MAX_HINT) : '', minutes: kept });
  }
  return out;
}

/** What the file says now, per identity (for `status`, which runs in another process than the agent). */
export function readScriptUse(settingsFolder: string, now: number): Map<string, ScriptUse> {
  const out = new Map<string, ScriptUse>();
  for (const [id, e] of readEntries(scriptUseFile(settingsFolder))) out.set(id, { lastAt: e.lastAt, lastHint: e.lastHint, lastHour: lastHour(e, now) });
  return out;
}

export class ScriptUseLog {
  private readonly entries: Map<string, Entry>;
  private readonly timers: Timers;
  private writeTimer: TimerHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(private readonly opts: { settingsFolder: string; clock: Clock; timers?: Timers; writeEveryMs?: number; onChange?: () => void; log?: (message: string, error?: unknown) => void }) {
    this.timers = opts.timers ?? systemTimers;
    this.entries = readEntries(scriptUseFile(opts.settingsFolder));
  }

  /** A script had a token for `identityId`. */
  record(identityId: string, hint: string): void {
    const now = this.opts.clock.now();
    const minute = Math.floor(now / MINUTE);
    let e = this.entries.get(identityId);
    if (!e) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      e = { lastAt: now, lastHint: hint, minutes: [] };
      this.entries.set(identityId, e);
    }
    e.lastAt = now;
    e.lastHint = hint;
    const last = e.minutes.at(-1);
    if (last && last[0] === minute) last[1]++;
    else e.minutes.push([minute, 1]);
    const from = Math.floor((now - HOUR) / MINUTE);
    while (e.minutes.length && (e.minutes[0]![0] <= from || e.minutes.length > 60)) e.minutes.shift();
    this.scheduleWrite();
    this.opts.onChange?.();
  }

  /** This login's use by scripts, or null when none was recorded. */
  use(identityId: string): ScriptUse | null {
    const e = this.entries.get(identityId);
    return e ? { lastAt: e.lastAt, lastHint: e.lastHint, lastHour: lastHour(e, this.opts.clock.now()) } : null;
  }

  /** Forgets a login (signed out). */
  forget(identityId: string): void {
    if (this.entries.delete(identityId)) this.scheduleWrite();
  }

  /** Writes what is not written yet (at quit). */
  async flush(): Promise<void> {
    if (this.writeTimer) this.timers.clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    if (this.dirty) this.write();
    await this.writing;
  }

  private scheduleWrite(): void {
    this.dirty = true;
    if (this.writeTimer) return;
    this.writeTimer = this.timers.setTimeout(() => {
      this.writeTimer = undefined;
      this.write();
    }, this.opts.writeEveryMs ?? 2_000);
  }

  private write(): void {
    this.dirty = false;
    const doc: Record<string, unknown> = {};
    for (const [id, e] of this.entries) doc[id] = { last_at: e.lastAt, last_hint: e.lastHint, minutes: e.minutes };
    const file = scriptUseFile(this.opts.settingsFolder);
    this.writing = this.writing
      .then(async () => commit(await writeTemporary(file, JSON.stringify(doc)), file))
      .catch((e: unknown) => this.opts.log?.('could not record the scripts\' use of logins', e));
  }
}
