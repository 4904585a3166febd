/**
 * The token agent's forwards as the window sees them: which logins, until when, and the `ssh -R`
 * line that connects a remote machine. Nothing here is secret (a forward is a socket path).
 */
import type { ForwardList, ForwardView } from '../../../shared/api.ts';
import { AuthTrayError } from '../errors.ts';
import { sshCommand, type Forward, type TokenAgent } from '../agent/token-agent.ts';
import type { AppServices } from './services.ts';

/**
 * A forward for the window. Its ssh line ends in HOST, as the CLI prints it: pasted into a shell
 * unchanged, `<host>` would be read as redirections.
 */
export function forwardView(f: Forward): ForwardView {
  return { id: f.id, identities: f.identities.map((i) => ({ id: i.id, label: i.label })), until: f.until, ssh: sshCommand(f, 'HOST') };
}

/** Whether the agent runs, why not, and its forwards (soonest end first). */
export function forwardList(s: AppServices): ForwardList {
  const agent = s.agent();
  const running = agent?.running() ?? false;
  return { running, problem: s.agentProblem(), forwards: running ? agent!.forwards().map(forwardView) : [] };
}

/** The app's agent, or AGENT_UNAVAILABLE where the app serves none (Windows). */
export function appAgent(s: AppServices): TokenAgent {
  const agent = s.agent();
  if (!agent) {
    throw new AuthTrayError('AGENT_UNAVAILABLE', 'The app serves no token agent on this computer, so nothing can be forwarded.', {
      nextStep: 'Scripts get tokens from the command line here: openeo-auth-tray token --json',
    });
  }
  return agent;
}
