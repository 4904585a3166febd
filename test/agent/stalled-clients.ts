/**
 * Many hostile connections to an agent's socket, held by a process of their own (so that their
 * file descriptors are not the test process's problem):
 *
 *   node --import tsx test/agent/stalled-clients.ts <socket> <count> <mode>
 *
 * Modes: `silent` sends nothing; `trickle` sends the start of a request, then one space every
 * second, and never finishes it; `answered` sends a whole request, reads the answer, keeps its
 * own side open (never closes) and goes on sending a space every second. Prints one JSON line
 * `{"event":"opened",…}` when every connection was attempted, then one `{"event":"status",…}`
 * line for each line read on stdin; closes everything and exits when stdin ends.
 *
 * Per connection: `open` until the agent ends its side, `halfOpen` when it ended its side but a
 * write still goes through (its socket is still there), `gone` when a write fails or the
 * connection closed (the agent let go of it entirely; a silent connection never writes, so it
 * never tells `halfOpen` from `gone`).
 */
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

const [socket, countText, mode] = process.argv.slice(2);
if (!socket || !countText || !['silent', 'trickle', 'answered'].includes(mode ?? '')) {
  throw new Error('usage: stalled-clients.ts <socket> <count> silent|trickle|answered');
}
const count = Number(countText);

interface Held {
  conn: Socket;
  connected: boolean;
  /** The agent ended its side. */
  ended: boolean;
  /** A write failed or the connection closed: the agent let go of it. */
  gone: boolean;
  answer: string;
}

const held: Held[] = [];
const errors: Record<string, number> = {};
const timers: Array<ReturnType<typeof setInterval>> = [];

/** Connections refused for a full listen backlog (EAGAIN) and tried again, as a determined client would. */
let retried = 0;
const MAX_TRIES = 200;

function open(tries = 0): Promise<void> {
  return new Promise((resolve) => {
    const conn = connect({ path: socket!, allowHalfOpen: true });
    const h: Held = { conn, connected: false, ended: false, gone: false, answer: '' };
    conn.setEncoding('utf8');
    conn.on('connect', () => {
      h.connected = true;
      held.push(h);
      if (mode === 'answered') conn.write('{"request": "openeo-auth-tray/info"}');
      if (mode === 'trickle') conn.write('{"request": "access_token", "account": ');
      if (mode !== 'silent') {
        const timer = setInterval(() => {
          if (!h.gone) conn.write(' ');
        }, 1_000);
        timers.push(timer);
      }
      resolve();
    });
    conn.on('data', (d: string) => {
      if (h.answer.length < 4096) h.answer += d;
    });
    conn.on('end', () => (h.ended = true));
    conn.on('close', () => (h.gone = true));
    conn.on('error', (e: NodeJS.ErrnoException) => {
      h.gone = true;
      if (!h.connected && e.code === 'EAGAIN' && tries < MAX_TRIES) {
        retried++;
        setTimeout(() => void open(tries + 1).then(resolve), 10);
        return;
      }
      if (!h.connected) {
        held.push(h);
        errors[e.code ?? 'error'] = (errors[e.code ?? 'error'] ?? 0) + 1;
      }
      resolve();
    });
  });
}

function status(event: string): string {
  const answers: Record<string, number> = {};
  for (const h of held) {
    if (!h.answer) continue;
    let key = 'not JSON';
    try {
      const a = JSON.parse(h.answer) as { status?: string; code?: string; error?: string };
      key = `${a.status ?? '?'} ${a.code ?? ''} ${a.status === 'failure' ? a.error ?? '' : ''}`.trim();
    } catch {
      // counted as "not JSON"
    }
    answers[key] = (answers[key] ?? 0) + 1;
  }
  return JSON.stringify({
    event,
    attempted: held.length,
    connected: held.filter((h) => h.connected).length,
    open: held.filter((h) => h.connected && !h.ended && !h.gone).length,
    halfOpen: held.filter((h) => h.connected && h.ended && !h.gone).length,
    gone: held.filter((h) => h.connected && h.gone).length,
    answers,
    errors,
    retried,
  });
}

// In batches of 50 at a time.
for (let i = 0; i < count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => open()));
}
process.stdout.write(`${status('opened')}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', () => process.stdout.write(`${status('status')}\n`));
lines.on('close', () => {
  for (const t of timers) clearInterval(t);
  for (const h of held) h.conn.destroy();
  process.exit(0);
});
