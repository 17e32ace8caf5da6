/**
 * A runner cancelling a job sends SIGINT, then SIGTERM; Node's default action ends the process at
 * once. onTermination runs a clean-up first, then raises the signal again so that it ends the
 * process as it would have (once every watcher has stopped listening).
 * Returns the function that stops watching.
 */
export function onTermination(cleanup: () => void): () => void {
  const handle = (signal: NodeJS.Signals): void => {
    stop();
    try {
      cleanup();
    } finally {
      process.kill(process.pid, signal);
    }
  };
  const onInt = (): void => {
    handle('SIGINT');
  };
  const onTerm = (): void => {
    handle('SIGTERM');
  };
  const stop = (): void => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return stop;
}
