/**
 * The window's entry point: builds the navigation, listens to main's pushes, loads the
 * identities and the theme, and shows the Accounts page. Talks to nothing but `window.openeoAuth`.
 */
import type { Navigation } from '../shared/api.ts';
import { h } from './dom.ts';
import { identityStore } from './store.ts';
import { navigate, setUpRouter } from './router.ts';
import { applyTheme } from './theme.ts';
import { accountsPage } from './pages/accounts.ts';
import { addAccountPage } from './pages/add-account.ts';
import { creditsPage } from './pages/credits.ts';
import { jobsPage } from './pages/jobs.ts';
import { settingsPage } from './pages/settings.ts';

function start(): void {
  const nav = document.getElementById('nav');
  const main = document.getElementById('main');
  if (!nav || !main) return;
  const bridge = window.openeoAuth as typeof window.openeoAuth | undefined;
  if (!bridge) {
    main.replaceChildren(h('p', { class: 'problem', role: 'alert' }, 'This window cannot reach the app. Close it and open it again from the tray.'));
    return;
  }
  setUpRouter(nav, main, { accounts: accountsPage, add: addAccountPage, credits: creditsPage, jobs: jobsPage, settings: settingsPage });
  document.getElementById('skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });

  bridge.onIdentitiesChanged((identities) => identityStore.set(identities));
  bridge.onNavigate((to: Navigation) => {
    // "Sign in again" from a notification may arrive before the first list: wait for it.
    if (identityStore.loaded) navigate(to);
    else void identityStore.reload().then(() => navigate(to));
  });
  void bridge.getSettings().then((result) => {
    if (result.ok) applyTheme(result.value.theme);
  });
  void identityStore.reload();
  navigate({ page: 'accounts' }, { focus: false });
}

start();
