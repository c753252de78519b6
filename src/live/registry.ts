/**
 * The live registry: one poll per distinct question (topic key: kind, normalised filter,
 * credential partition), shared by every subscriber asking it; a subscriber costs a queue slot,
 * never an upstream call. A topic is polled every SUBSCRIPTION_POLL_MS from its first subscriber
 * on and stops when its last one leaves. Limits are checked before anything is polled:
 * MAX_SUBSCRIPTIONS in this process, MAX_SUBSCRIPTIONS_PER_CLIENT per client (RequestFacts.client),
 * and SUBSCRIPTION_MAX_POLLS upstream calls per interval over all topics.
 */
import { CodedError } from '../errors.js';
import type { RequestFacts } from '../http/request.js';
import type { Logger } from '../logger.js';
import { emptyCost } from '../upstream/client.js';
import { checkImageQuery } from '../upstream/images.js';
import type { UpstreamApi } from '../upstream/index.js';
import { MAX_IDS_PER_CALL } from '../upstream/models.js';
import type { Credential } from '../upstream/transport.js';
import { localDistribution, type Distribution } from './distribution.js';
import { filterKey, imagesTopic, modelsTopic, versionsTopic, type ImageFilters, type LiveEvent, type ModelFilters, type Topic } from './feeds.js';
import { RecentIds } from './poll.js';
import { createQueue, type Queued, type SubscriberQueue } from './queue.js';

export type Question =
  | { readonly kind: 'models'; readonly filters: ModelFilters }
  | { readonly kind: 'images'; readonly filters: ImageFilters }
  | { readonly kind: 'versions'; readonly modelIds: readonly number[] };

export interface LiveLimits {
  readonly pollMs: number;
  readonly maxSubscriptions: number;
  readonly maxPerClient: number;
  readonly maxPolls: number;
  readonly queueEvents: number;
}

export interface LiveObserver {
  polled(outcome: 'ok' | 'error'): void;
  sent(count: number): void;
}

export interface LiveOptions {
  readonly api: UpstreamApi;
  readonly limits: LiveLimits;
  /** How long one poll's upstream calls may take together (UPSTREAM_REQUEST_DEADLINE_MS). */
  readonly pollDeadlineMs: number;
  readonly distribution?: Distribution;
  readonly observe?: LiveObserver;
  readonly logger?: Logger;
}

export interface Live {
  /** A stream of what is new for this question; refused (TOO_MANY_SUBSCRIPTIONS) before any poll. */
  subscribe(question: Question, facts: RequestFacts): AsyncIterableIterator<Queued<LiveEvent>>;
  readonly subscriptions: number;
  /** Topics polled (by this process or, with Redis, by whichever replica holds each). */
  readonly topics: number;
  /** Ends every stream (a `complete`) and stops every poll. */
  close(): Promise<void>;
}

/** Events one subscriber remembers having been sent, so none is sent twice (a poll taken over, say). */
const SENT_MEMORY = 1_000;

interface Subscriber {
  readonly queue: SubscriberQueue<LiveEvent>;
  readonly client: string;
  readonly sent: RecentIds<string>;
  /** The versions topic: the models this subscriber watches. */
  readonly modelIds: ReadonlySet<number> | undefined;
}

interface Run {
  readonly topic: Topic;
  readonly credential: Credential;
  readonly subscribers: Set<Subscriber>;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
  leading: boolean;
  stopListening: () => void;
}

function refuse(limit: 'process' | 'client' | 'polls', message: string): CodedError {
  return new CodedError('TOO_MANY_SUBSCRIPTIONS', message, { limit });
}

const slowReader = (capacity: number) => () =>
  new CodedError('SLOW_READER', `The subscription was closed: more than ${capacity} events were waiting for the client to read them.`);

function topicOf(api: UpstreamApi, key: string, question: Question): Topic {
  if (question.kind === 'models') return modelsTopic(api, key, question.filters);
  if (question.kind === 'images') return imagesTopic(api, key, question.filters);
  return versionsTopic(api, key);
}

function keyOf(question: Question, credential: Credential): string {
  const asked = question.kind === 'versions' ? 'versions' : filterKey(question.kind, question.filters);
  return `${credential.fingerprint}|${asked}`;
}

/** The registry's state, which the functions below share. */
interface Hub {
  readonly options: LiveOptions;
  readonly limits: LiveLimits;
  readonly distribution: Distribution;
  readonly runs: Map<string, Run>;
  readonly perClient: Map<string, number>;
  subscriptions: number;
  closed: boolean;
}

const watchedIds = (run: Run) => [...new Set([...run.subscribers].flatMap((s) => [...(s.modelIds ?? [])]))];
const pollCalls = (hub: Hub) => [...hub.runs.values()].reduce((sum, run) => sum + run.topic.calls(), 0);

/** Hands a poll's events to the subscribers that asked for them, each event once per subscriber. */
function deliver(hub: Hub, run: Run, events: readonly LiveEvent[]): void {
  let sent = 0;
  for (const subscriber of [...run.subscribers]) {
    for (const event of events) {
      if (subscriber.modelIds && (event.modelId === undefined || !subscriber.modelIds.has(event.modelId))) continue;
      if (subscriber.sent.has(event.id)) continue;
      subscriber.sent.add(event.id);
      if (subscriber.queue.push(event)) sent++;
    }
  }
  hub.options.observe?.sent(sent);
}

/** One interval of a topic: poll when this process leads it, and publish what is new. */
async function poll(hub: Hub, run: Run): Promise<void> {
  const { options, distribution } = hub;
  // Every replica registers the ids it watches, whoever polls them.
  const watched = run.topic.watch ? await distribution.watched(run.topic.key, watchedIds(run)) : undefined;
  const leadership = await distribution.lead(run.topic.key);
  if (!leadership.leading) return void (run.leading = false);
  if (!run.leading && leadership.handover !== undefined) run.topic.restore(leadership.handover);
  run.leading = true;
  if (watched) run.topic.watch?.(watched);
  const scope = { credential: run.credential, cost: emptyCost(), fresh: true, deadline: Date.now() + options.pollDeadlineMs };
  try {
    const events = await run.topic.poll(scope);
    options.observe?.polled('ok');
    await distribution.publish(run.topic.key, events, run.topic.snapshot());
  } catch (error) {
    options.observe?.polled('error');
    options.logger?.warn('live poll failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}

function schedule(hub: Hub, run: Run, delayMs: number): void {
  run.timer = setTimeout(() => {
    run.timer = undefined;
    void poll(hub, run)
      .catch(() => undefined)
      .finally(() => !run.stopped && schedule(hub, run, hub.limits.pollMs));
  }, delayMs);
  run.timer.unref();
}

function stop(hub: Hub, run: Run): void {
  run.stopped = true;
  clearTimeout(run.timer);
  run.stopListening();
  hub.distribution.release(run.topic.key);
  hub.runs.delete(run.topic.key);
}

function leave(hub: Hub, run: Run, subscriber: Subscriber): void {
  if (!run.subscribers.delete(subscriber)) return;
  hub.subscriptions--;
  const left = (hub.perClient.get(subscriber.client) ?? 1) - 1;
  if (left > 0) hub.perClient.set(subscriber.client, left);
  else hub.perClient.delete(subscriber.client);
  if (run.subscribers.size === 0) stop(hub, run);
}

function versionCallsAdded(run: Run | undefined, ids: readonly number[]): number {
  const before = run ? watchedIds(run) : [];
  const after = new Set([...before, ...ids]).size;
  return Math.ceil(after / MAX_IDS_PER_CALL) - Math.ceil(before.length / MAX_IDS_PER_CALL);
}

/** The limits, checked before anything is polled. */
function admit(hub: Hub, question: Question, facts: RequestFacts, key: string): void {
  const { limits } = hub;
  if (question.kind === 'images') checkImageQuery({ ...question.filters, limit: 1, withMeta: false });
  if (hub.closed || hub.subscriptions >= limits.maxSubscriptions) throw refuse('process', `This server holds ${limits.maxSubscriptions} subscriptions already; try again later.`);
  if ((hub.perClient.get(facts.client) ?? 0) >= limits.maxPerClient) throw refuse('client', `A client may hold ${limits.maxPerClient} subscriptions at once; end one first.`);
  const run = hub.runs.get(key);
  const calls = question.kind !== 'versions' ? (run ? 0 : 1) : versionCallsAdded(run, question.modelIds);
  if (calls > 0 && pollCalls(hub) + calls > limits.maxPolls) {
    throw refuse('polls', `This server polls at most ${limits.maxPolls} distinct questions per interval; ask one already asked, or try again later.`);
  }
}

function runFor(hub: Hub, question: Question, credential: Credential, key: string): Run {
  const existing = hub.runs.get(key);
  if (existing) return existing;
  const run: Run = { topic: topicOf(hub.options.api, key, question), credential, subscribers: new Set(), timer: undefined, stopped: false, leading: false, stopListening: () => undefined };
  run.stopListening = hub.distribution.listen(key, (events) => deliver(hub, run, events));
  hub.runs.set(key, run);
  schedule(hub, run, 0);
  return run;
}

function join(hub: Hub, question: Question, facts: RequestFacts): SubscriberQueue<LiveEvent> {
  const key = keyOf(question, facts.credential);
  admit(hub, question, facts, key);
  const run = runFor(hub, question, facts.credential, key);
  const capacity = hub.limits.queueEvents;
  let subscriber: Subscriber | undefined;
  const queue = createQueue<LiveEvent>(capacity, slowReader(capacity), () => subscriber && leave(hub, run, subscriber));
  subscriber = { queue, client: facts.client, sent: new RecentIds<string>(SENT_MEMORY), modelIds: question.kind === 'versions' ? new Set(question.modelIds) : undefined };
  run.subscribers.add(subscriber);
  hub.subscriptions++;
  hub.perClient.set(facts.client, (hub.perClient.get(facts.client) ?? 0) + 1);
  return queue;
}

export function createLive(options: LiveOptions): Live {
  const hub: Hub = {
    options,
    limits: options.limits,
    distribution: options.distribution ?? localDistribution(),
    runs: new Map(),
    perClient: new Map(),
    subscriptions: 0,
    closed: false,
  };
  return {
    subscribe: (question, facts) => join(hub, question, facts),
    get subscriptions() {
      return hub.subscriptions;
    },
    get topics() {
      return hub.runs.size;
    },
    async close() {
      hub.closed = true;
      for (const run of [...hub.runs.values()]) for (const subscriber of [...run.subscribers]) subscriber.queue.end();
      for (const run of [...hub.runs.values()]) stop(hub, run);
      await hub.distribution.close();
    },
  };
}
