/**
 * The identities as last heard from main: loaded once at start, replaced on every
 * `identities:changed` push and after each action, so every page reads the same list.
 */
import type { IdentityStatus } from '../shared/api.ts';
import type { Failure } from './feedback.ts';

type Listener = () => void;

let identities: readonly IdentityStatus[] = [];
let loaded = false;
let failure: Failure | null = null;
const listeners = new Set<Listener>();

function emit(): void {
  for (const listener of [...listeners]) listener();
}

export const identityStore = {
  get list(): readonly IdentityStatus[] {
    return identities;
  },
  /** False until the first answer from main (then the empty state may be shown). */
  get loaded(): boolean {
    return loaded;
  },
  /** Why the list could not be loaded, if it could not. */
  get failure(): Failure | null {
    return failure;
  },
  find(identityId: string | undefined): IdentityStatus | undefined {
    return identityId === undefined ? undefined : identities.find((i) => i.id === identityId);
  },
  set(next: readonly IdentityStatus[]): void {
    identities = Array.isArray(next) ? next : [];
    loaded = true;
    failure = null;
    emit();
  },
  /** Replaces one identity (the answer of `refreshNow`), keeping the order. */
  update(one: IdentityStatus): void {
    identities = identities.some((i) => i.id === one.id) ? identities.map((i) => (i.id === one.id ? one : i)) : [...identities, one];
    emit();
  },
  async reload(): Promise<void> {
    const result = await window.openeoAuth.listIdentities();
    if (result.ok) {
      identityStore.set(result.value);
    } else {
      failure = result;
      loaded = true;
      emit();
    }
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
