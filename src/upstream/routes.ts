/**
 * The one route table: each kind of upstream call, its metrics label (a closed set, never an id)
 * and how an error names it to a client. Every call carries its route from where it is built
 * (models.ts, tags.ts, …), so nothing reads a route back from a URL.
 */
import type { UpstreamRoute } from './errors.js';

export interface RouteFacts {
  /** `route` label of cgql_upstream_requests_total and its duration. */
  readonly metric: string;
  /** What a client's error message says was being loaded. */
  readonly what: string;
}

export const ROUTES: Readonly<Record<UpstreamRoute, RouteFacts>> = {
  models: { metric: 'models', what: 'the model list' },
  model: { metric: 'model', what: 'a model' },
  'model-version': { metric: 'model-version', what: 'a model version' },
  // Both by-hash routes are under /model-versions, counted with it.
  'by-hash': { metric: 'model-version', what: 'a model version by hash' },
  'by-hash-batch': { metric: 'model-version', what: 'model versions by hash' },
  creators: { metric: 'creators', what: 'the creator list' },
  tags: { metric: 'tags', what: 'the tag list' },
  images: { metric: 'images', what: 'the images feed' },
};
