/**
 * What library code may say: the part of the host's log (host.ts) that neither sets outputs, nor
 * exports variables, nor groups lines. Every folder below the stages takes a Logger.
 */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, title?: string): void;
  warning(message: string, title?: string): void;
  /** Masks a value in the log from now on (pass it to registerSecret as well: see secrets.ts). */
  setSecret(value: string): void;
}

/** Phase timings at debug (ACTIONS_STEP_DEBUG): each call logs the time since the last. */
export function phaseTimer(log: Pick<Logger, 'debug'>): (what: string) => void {
  let t = performance.now();
  return (what) => {
    const now = performance.now();
    log.debug(`package: ${what} in ${Math.round(now - t)} ms`);
    t = now;
  };
}
