// What a fragment of the client README takes as given: its first example's imports.

export { createClient, RateLimitedError } from '@tollgate/client';
