// Public API of @tollgate/core: the engine, its building blocks and its types.

export {
  type ActivityMonitor,
  type ActivityMonitorOptions,
  createActivityMonitor,
  type UnusualActivityEvent,
} from './activity-monitor.js';
export { type AdapterCheck, createAdapterCheck, type ProxyTrust } from './adapter-check.js';
export {
  type AdapterConfig,
  type AdapterOptions,
  type AdapterSettings,
  type PreflightMode,
  parseAdapterOptions,
  resolveEngine,
} from './adapter-options.js';
export { API_KEY_CHALLENGE } from './auth-challenge.js';
export {
  type CompiledKey,
  type CompiledPolicy,
  type CompileOptions,
  type Credential,
  compilePolicy,
  DEFAULT_SOURCE_IP_HEADER,
} from './compile-policy.js';
export { createDayClock, type DayClock, type DayWindow, isValidTimeZone } from './day-window.js';
export type { Decision, DecisionCode, LimitName, LimitState, ProblemBody, RefusalCode } from './decision.js';
export { createDecisionMetrics, type DecisionMetrics } from './decision-metrics.js';
export { type CheckInput, createEngine, type Engine } from './engine.js';
export { TollgateError, type TollgateErrorCode } from './errors.js';
export type {
  AuthFailureEvent,
  ConfigReloadEvent,
  FailureMode,
  ForwardingIgnoredEvent,
  KeySourceErrorEvent,
  RefusalEvent,
  StoreErrorEvent,
  ThresholdEvent,
  TollgateEvent,
} from './events.js';
export { createIpKeyer, type IpKeyer, type IpKeyOptions } from './ip-key.js';
export { type IssuedToken, type IssueTokenOptions, issueToken } from './issue-token.js';
export { ipHasher, keySha256 } from './key-hash.js';
export type { KeySource } from './key-source.js';
export {
  createMemoryStore,
  type MemoryStore,
  type MemoryStoreOptions,
  type MemoryStoreStats,
} from './memory-store.js';
export {
  type EmailNotifyTarget,
  type InvalidNotifyTarget,
  isInvalidNotifyTarget,
  type NotifyTarget,
  type NotifyTargetKind,
  parseNotifyTarget,
  type WebhookNotifyTarget,
} from './notify-target.js';
export { type EngineOptions, parseOptions } from './options.js';
export { type KeyPolicy, type Policy, parsePolicySchema } from './policy-schema.js';
export type { KeyCredential } from './policy-types.js';
export { PROBLEM_CONTENT_TYPE, problemFor } from './problem.js';
export { TOLLGATE_WARNING, type TollgateWarningCode, warnOnce } from './process-warning.js';
export { addQueryKeys } from './query-key.js';
export { rateLimitHeaders } from './rate-limit-headers.js';
export { API_KEY_HEADER, API_KEY_QUERY, inputFromRequest, type RequestLike } from './request-input.js';
export type { ConsumeResult, CounterSpec, Store } from './store.js';
export { CREDENTIAL_CLAIM, credentialId } from './token-binding.js';
export {
  bearerToken,
  createTokenVerifier,
  TOKEN_FAILURES,
  type TokenFailure,
  type TokenOptions,
  type TokenVerdict,
  type TokenVerifier,
  wwwAuthenticate,
} from './token-verifier.js';
export { compileUrlPatterns, type UrlMatcher } from './url-pattern.js';
