// What a monitoring fragment of the docs takes as given: its page's first example (imports, policy, event handler).

import type { Policy, TollgateEvent } from '@tollgate/core';

export { metrics } from '@opentelemetry/api';
export { createEngine } from '@tollgate/core';
export const policy: Policy;
export function onEvent(event: TollgateEvent): void;
