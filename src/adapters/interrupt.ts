/**
 * Cleanups that must also run when the process is interrupted (Ctrl-C, SIGTERM), where no
 * `finally` runs: temp trees, a scratch git worktree. Each is synchronous and runs once; then
 * our listener steps aside and the signal is raised again, so it takes its usual course (exit
 * status 130 for Ctrl-C) unless someone else listens for it.
 */
const cleanups = new Map<symbol, () => void>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups.values()) {
    try {
      cleanup();
    } catch {
      // best effort: the process is going away, and the next cleanup still deserves its turn
    }
  }
  cleanups.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

/** Runs `cleanup` if the process is interrupted before the returned function is called. */
export function cleanUpOnInterrupt(cleanup: () => void): () => void {
  const key = Symbol("cleanup");
  if (cleanups.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  cleanups.set(key, cleanup);
  return () => {
    if (!cleanups.delete(key) || cleanups.size > 0) return;
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
}
