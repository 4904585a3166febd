/**
 * Asks the person, in a native message box, whether a script may use a login (the token agent's
 * AskFn; the words are the core's). The box has no parent window, so the app keeps answering
 * other scripts and the tray while it is open. When the agent stops waiting (no answer in time,
 * or the app quits) the box is closed through its AbortSignal, and an answer that comes anyway
 * is ignored: the answer was "no".
 *
 * macOS runs a message box without a parent window modally (Electron's `runModal`): there the
 * app waits for the answer, and the signal cannot close the box.
 */
import { join } from 'node:path';
import type { Dialog } from 'electron';
import type { AskFn } from '../core/agent/script-access.ts';
import type { Logger } from '../core/log.ts';
import type { Clock } from '../core/ports.ts';
import { scriptQuestion } from '../core/tray/script-question.ts';

/** The Electron part this module uses. */
export interface ScriptQuestionsElectron {
  dialog: Pick<Dialog, 'showMessageBox'>;
}

export interface ScriptQuestionOptions {
  /** The app folder, for the icon on Linux and Windows (macOS shows the app's own). */
  appPath: string;
  platform: NodeJS.Platform;
  clock: Clock;
  log: Logger;
}

const ALLOW = 0;
const DENY = 1;

/** The agent's way to ask the person. */
export function dialogAsk(electron: ScriptQuestionsElectron, opts: ScriptQuestionOptions): AskFn {
  return (question, signal) => {
    if (signal.aborted) return Promise.resolve('deny');
    const words = scriptQuestion(question, opts.clock.now());
    const answered = electron.dialog.showMessageBox({
      type: 'question',
      title: 'openEO Auth Tray',
      message: words.message,
      detail: words.detail,
      buttons: [words.allowLabel, words.denyLabel],
      defaultId: DENY,
      cancelId: DENY,
      noLink: true,
      signal,
      ...(opts.platform === 'darwin' ? {} : { icon: join(opts.appPath, 'assets', 'icon.png') }),
    }).then(({ response }) => (response === ALLOW && !signal.aborted ? 'allow' as const : 'deny' as const), (e: unknown) => {
      opts.log('warn', 'The question about a script could not be shown; the script was not let in.', e);
      return 'deny' as const;
    });
    const abandoned = new Promise<'deny'>((resolve) => signal.addEventListener('abort', () => resolve('deny'), { once: true }));
    return Promise.race([answered, abandoned]);
  };
}
