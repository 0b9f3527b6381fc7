// Type-level checks of the public API: what users' editors and compilers rely on.

import { describe, expectTypeOf, it } from 'vitest';
import { type AdapterOptions, type ProblemResponse, problemResponse } from '../src/adapter.js';
import type {
  ConsumeResult,
  Decision,
  DecisionCode,
  Engine,
  EngineOptions,
  MemoryStore,
  Policy,
  TollgateEvent,
} from '../src/index.js';
import { createEngine, createMemoryStore } from '../src/index.js';

describe('public types', () => {
  it('createEngine takes EngineOptions and returns an Engine', () => {
    expectTypeOf(createEngine).parameter(0).toEqualTypeOf<EngineOptions>();
    expectTypeOf(createEngine).returns.toEqualTypeOf<Engine>();
  });

  it('check may answer synchronously or with a promise', () => {
    expectTypeOf<ReturnType<Engine['check']>>().toEqualTypeOf<Decision | Promise<Decision>>();
  });

  it('the memory store is synchronous', () => {
    expectTypeOf(createMemoryStore).returns.toEqualTypeOf<MemoryStore>();
    expectTypeOf<ReturnType<MemoryStore['consume']>>().toEqualTypeOf<ConsumeResult>();
  });

  it('events narrow on type', () => {
    expectTypeOf<Extract<TollgateEvent, { type: 'threshold' }>['threshold']>().toEqualTypeOf<0.9 | 1>();
    expectTypeOf<Extract<TollgateEvent, { type: 'auth_failure' }>['status']>().toEqualTypeOf<401>();
  });

  it('policies need an id and a credential (key, keySha256 or credentials; exactly one is checked at run time)', () => {
    expectTypeOf<{ keys: [{ id: 'a'; key: 'pk_live_01234567' }] }>().toExtend<Policy>();
    expectTypeOf<{ keys: [{ id: 'a'; keySha256: string }] }>().toExtend<Policy>();
    expectTypeOf<{
      keys: [{ id: 'a'; credentials: [{ key: string; expiresAt: string }] }];
    }>().toExtend<Policy>();
    expectTypeOf<{ keys: [{ key: 'pk_live_01234567' }] }>().not.toExtend<Policy>();
    expectTypeOf<'daily_limit'>().toExtend<DecisionCode>();
  });

  it('adapter options: engine options or an engine, each with the adapter settings', () => {
    expectTypeOf<{ policy: Policy; preflight: 'next' }>().toExtend<AdapterOptions>();
    expectTypeOf<{ engine: Engine; preflight: 'answer' }>().toExtend<AdapterOptions>();
    expectTypeOf<{ engine: Engine }>().toExtend<AdapterOptions>();
    expectTypeOf<{ policy: Policy; preflight: 'pass' }>().not.toExtend<AdapterOptions>();
  });

  it('adapters answer a decision with status, headers and a body that may be absent', () => {
    expectTypeOf(problemResponse).parameter(0).toEqualTypeOf<Decision>();
    expectTypeOf(problemResponse).returns.toEqualTypeOf<ProblemResponse>();
    expectTypeOf<ProblemResponse['body']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ProblemResponse['headers']>().toEqualTypeOf<Readonly<Record<string, string>>>();
  });
});
