// Collects the process warnings a test provokes, by code, for suites that check a setup warning fires once.

/** Warnings seen since {@link watchWarnings} was called, and a way to stop listening. */
export interface WarningWatch {
  /** Every warning with the watched code so far, after letting pending ones arrive. */
  seen(): Promise<Error[]>;
  stop(): void;
}

/**
 * Starts collecting process warnings whose `code` is `code`.
 *
 * @example
 * const w = watchWarnings('TOLLGATE_PERMISSIVE_TRUST_PROXY');
 * ...
 * expect(await w.seen()).toHaveLength(1);
 * w.stop();
 */
export function watchWarnings(code: string): WarningWatch {
  const seen: Error[] = [];
  const listener = (w: Error) => {
    if ((w as Error & { code?: string }).code === code) seen.push(w);
  };
  process.on('warning', listener);
  return {
    // process.emitWarning delivers on a later tick.
    seen: () => new Promise((resolve) => setImmediate(() => resolve([...seen]))),
    stop: () => process.off('warning', listener),
  };
}
