/**
 * The window's one-shot timers, passed to the logic that decides when to do something again (the
 * Jobs page's refresh of running jobs), so tests can run it on a fake clock. The handle is
 * whatever the timers give back.
 */
export interface RendererTimers<H = unknown> {
  setTimeout(run: () => void, ms: number): H;
  clearTimeout(handle: H): void;
}

/** The page's own timers. */
export const windowTimers: RendererTimers<ReturnType<typeof setTimeout>> = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};
