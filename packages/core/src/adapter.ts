// Entry `@tollgate/core/adapter`: what a framework adapter (or another package built on the engine) needs, kept off the main entry.

export { type AdapterCheck, createAdapterCheck, type ProxyTrust } from './adapter-check.js';
export {
  type AdapterConfig,
  type AdapterOptions,
  type AdapterSettings,
  type PreflightMode,
  parseAdapterOptions,
  resolveEngine,
} from './adapter-options.js';
export {
  type EmailNotifyTarget,
  type InvalidNotifyTarget,
  isInvalidNotifyTarget,
  type NotifyTarget,
  type NotifyTargetKind,
  parseNotifyTarget,
  type WebhookNotifyTarget,
} from './notify-target.js';
export { PROBLEM_CONTENT_TYPE } from './problem.js';
export { type ProblemResponse, problemResponse } from './problem-response.js';
export { inputFromRequest, type RequestLike } from './request-input.js';
