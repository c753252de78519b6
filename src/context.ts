/** What every resolver receives: the request's loaders, credential and upstream cost. */
import { randomUUID } from 'node:crypto';
import { createLoaders, type Loaders } from './loaders/index.js';
import { emptyCost, type Credential, type UpstreamCost } from './upstream/client.js';
import type { UpstreamApi } from './upstream/index.js';

export interface Context {
  readonly requestId: string;
  readonly credential: Credential;
  readonly cost: UpstreamCost;
  readonly loaders: Loaders;
}

export function createContext(api: UpstreamApi, credential: Credential, requestId: string = randomUUID()): Context {
  const cost = emptyCost();
  return { requestId, credential, cost, loaders: createLoaders(api, { credential, cost }) };
}
