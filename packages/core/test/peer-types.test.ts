// Tollgate's own declarations of OpenTelemetry's Meter and of jose's key shapes (which keep the
// published types free of those packages) accept the real objects of the installed versions.

import type { KeyObject as NodeKeyObject, webcrypto } from 'node:crypto';
import type { Meter } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { CryptoKey as JoseCryptoKey, KeyObject as JoseKeyObject, JWK } from 'jose';
import { describe, expectTypeOf, it } from 'vitest';
import type { IssueTokenOptions, Jwk, MeterLike, PrivateKeyObject, TokenOptions } from '../src/index.js';

describe('peer types', () => {
  it('an OpenTelemetry Meter (API and SDK) is a MeterLike', () => {
    expectTypeOf<Meter>().toExtend<MeterLike>();
    expectTypeOf<ReturnType<MeterProvider['getMeter']>>().toExtend<MeterLike>();
  });

  it('jose JWKs and WebCrypto JsonWebKeys are Jwks, and a Jwk is what jose takes', () => {
    expectTypeOf<JWK>().toExtend<Jwk>();
    expectTypeOf<webcrypto.JsonWebKey>().toExtend<Jwk>();
    expectTypeOf<Jwk>().toExtend<JWK>();
    expectTypeOf<{ keys: JWK[] }>().toExtend<NonNullable<TokenOptions['jwks']>>();
  });

  it('Node KeyObjects, WebCrypto CryptoKeys and jose key inputs are signing keys', () => {
    type SigningKey = NonNullable<IssueTokenOptions['privateKey']>;
    expectTypeOf<NodeKeyObject>().toExtend<PrivateKeyObject>();
    expectTypeOf<webcrypto.CryptoKey>().toExtend<SigningKey>();
    expectTypeOf<JoseCryptoKey>().toExtend<SigningKey>();
    expectTypeOf<JoseKeyObject>().toExtend<SigningKey>();
    expectTypeOf<JWK>().toExtend<SigningKey>();
    // A PEM string is not a key object: it must be imported first.
    expectTypeOf<string>().not.toExtend<SigningKey>();
  });
});
