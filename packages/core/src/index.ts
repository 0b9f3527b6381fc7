// Public API of @tollgate/core, for server authors: the engine, its decisions, events and errors, stores, policy types
// and tokens. What framework adapters need is on `@tollgate/core/adapter` (adapter.ts); the rest is internal.

export type { ActivityMonitorOptions, UnusualActivityEvent } from './activity-monitor.js';
export type { Decision, DecisionCode, LimitName, LimitState, ProblemBody, RefusalCode } from './decision.js';
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
export { type IssuedToken, type IssueTokenOptions, issueToken } from './issue-token.js';
export type { Jwk, PrivateKeyObject } from './jwk.js';
export { keySha256 } from './key-hash.js';
export type { KeySource } from './key-source.js';
export {
  createMemoryStore,
  type MemoryStore,
  type MemoryStoreOptions,
  type MemoryStoreStats,
} from './memory-store.js';
export type { MeterLike } from './meter.js';
export type { EngineOptions } from './options.js';
export type { KeyCredential, KeyPolicy, Policy } from './policy-types.js';
export { TOLLGATE_WARNING, type TollgateWarningCode } from './process-warning.js';
export type { ConsumeResult, CounterSpec, Store } from './store.js';
export { CREDENTIAL_CLAIM, credentialId } from './token-binding.js';
export type { TokenFailure, TokenOptions } from './token-verifier.js';
