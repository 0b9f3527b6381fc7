// A user's CommonJS module: the `require` side of every published package (its .d.cts types).

import client = require('@tollgate/client');
import core = require('@tollgate/core');
import express = require('@tollgate/express');
import fastify = require('@tollgate/fastify');
import fetch = require('@tollgate/fetch');
import koa = require('@tollgate/koa');
import notify = require('@tollgate/notify');
import redis = require('@tollgate/redis');

const engine = core.createEngine({ policy: { keys: [{ id: 'shop-web', key: 'pk_live_0123456789abcdef' }] } });

export = {
  engine,
  express: express.tollgate({ engine }),
  koa: koa.tollgate({ engine }),
  fastify: fastify.default,
  check: fetch.createHandler({ engine }),
  createClient: client.createClient,
  createNotifier: notify.createNotifier,
  createRedisStore: redis.createRedisStore,
};
