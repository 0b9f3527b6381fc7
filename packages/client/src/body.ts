// Reading response bodies within a size cap, and throwing bodies away so connections are released.

/** The whole body, or undefined once it passes `max` bytes (the read is then cancelled) or fails. */
export async function readCapped(res: Response, max: number): Promise<Uint8Array | undefined> {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return concat(chunks, size);
      size += value.byteLength;
      if (size > max) {
        stop(reader.cancel());
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    return undefined;
  }
}

/** Cancels a body nobody will read, so its connection goes back to the pool. */
export function discard(res: Response): void {
  if (res.body !== null && !res.bodyUsed) stop(res.body.cancel());
}

// Cancelling one branch of a cloned (teed) body settles only once the other branch is cancelled
// or read to the end, so the promise is not awaited: the cancel takes effect either way.
function stop(cancelled: Promise<void>): void {
  cancelled.catch(() => {});
}

export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
