/**
 * Who a request is, worked out once at the HTTP edge and handed down: the credential it goes
 * upstream with and its fingerprint, the partition of the shared caches, whether it asks for a
 * cost report, and the client identity that logs and budgets use. The warm front, the context,
 * the whole-result cache, HTTP caching and `/metrics` read these facts; none of them reads
 * `Authorization` or `x-upstream-cost` again.
 *
 * `Authorization`, read once:
 *  - absent, empty, or of another scheme than Bearer (say, Basic added by a proxy in front for
 *    its own gate): no client credential. The request is anonymous and, with
 *    ANONYMOUS_USES_SERVER_KEY, goes upstream with the server's key, as if the header were absent;
 *  - `Bearer <token>` where the token is an RFC 6750 b64token of at most MAX_TOKEN_LENGTH
 *    characters: the client's credential (forwarded upstream with FORWARD_CLIENT_AUTH; without it
 *    the request goes anonymous, never with the server's key);
 *  - any other Bearer value (spaces inside, characters outside the alphabet, too long, none at
 *    all): refused with 401 UNAUTHENTICATED and `WWW-Authenticate: Bearer error="invalid_request"`
 *    before anything runs, so a client with a broken key hears so instead of seeing public results.
 */
import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { credentialFor, type Credential } from '../upstream/transport.js';
import { COST_HEADER } from './headers.js';
import { errorBody } from './body-limit.js';

/** Longest Bearer token accepted (Civitai's keys are 32 hex digits). */
export const MAX_TOKEN_LENGTH = 512;
/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = /^(\S+)(?:\s+([\s\S]*))?$/;

export interface RequestFacts {
  /** What the client presented in `Authorization`: nothing usable to us, a well-formed Bearer token, or a malformed one (refused). */
  readonly presented: 'none' | 'bearer' | 'malformed';
  /** The well-formed Bearer token (for `/metrics`), when presented. */
  readonly token: string | undefined;
  /** What goes upstream: the client's key, the server's key, or none. */
  readonly credential: Credential;
  /** The partition of whole results shared across clients (no client credential); undefined: never shared. */
  readonly partition: string | undefined;
  /** Whether the answer carries `extensions.cost` (REPORT_COST, or `x-upstream-cost: 1`). */
  readonly reportsCost: boolean;
  /** Anonymous all the way upstream (no client credential, no server key): HTTP caches may keep the answer. */
  readonly publicAnswer: boolean;
  /** Who the client is, for logs and budgets: its token's fingerprint, or the anonymous/server credential's. Safe to log. */
  readonly client: string;
  /** The peer's address (node:http), for budgets of clients without a key; undefined without a socket. */
  readonly peer?: string | undefined;
}

export interface RequestPolicy {
  readonly forwardClientAuth: boolean;
  /** The key a request without a client credential goes upstream with (undefined: anonymous). */
  readonly serverKey: string | undefined;
  readonly reportCost: boolean;
}

type Presented = { kind: 'none' } | { kind: 'bearer'; token: string } | { kind: 'malformed' };

/** The one reading of an `Authorization` header value. */
export function presentedCredential(header: string | undefined): Presented {
  const value = header?.trim() ?? '';
  if (value === '') return { kind: 'none' };
  const [, scheme, rest] = SCHEME.exec(value) ?? [];
  if (scheme?.toLowerCase() !== 'bearer') return { kind: 'none' };
  const token = rest ?? '';
  return token.length <= MAX_TOKEN_LENGTH && B64TOKEN.test(token) ? { kind: 'bearer', token } : { kind: 'malformed' };
}

export function readRequestFacts(header: (name: string) => string | undefined, policy: RequestPolicy): RequestFacts {
  const presented = presentedCredential(header('authorization'));
  const reportsCost = policy.reportCost || header(COST_HEADER) === '1';
  if (presented.kind === 'none') {
    const credential = credentialFor(policy.serverKey);
    return { presented: 'none', token: undefined, credential, partition: credential.fingerprint, reportsCost, publicAnswer: credential.authorization === undefined, client: credential.fingerprint };
  }
  const token = presented.kind === 'bearer' ? presented.token : undefined;
  const own = credentialFor(token);
  // A client that sends credentials never gets the server's key instead.
  const credential = policy.forwardClientAuth ? own : credentialFor(undefined);
  return { presented: presented.kind, token, credential, partition: undefined, reportsCost, publicAnswer: false, client: own.fingerprint };
}

const REFUSAL_MESSAGE = `The Authorization header is not a well-formed Bearer credential (Bearer followed by one token of at most ${MAX_TOKEN_LENGTH} characters A-Z a-z 0-9 - . _ ~ + / =).`;
export const REFUSAL_HEADERS = { 'www-authenticate': 'Bearer error="invalid_request"', 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export interface RequestReader {
  /** The facts of a node request, read on first use and kept with it (the warm front, yoga). */
  of(req: IncomingMessage): RequestFacts;
  /** The facts of the request yoga is answering (set by `plugin` before any other plugin reads them). */
  ofRequest(request: Request): RequestFacts;
  /** Hands the node request's facts to yoga's Request and refuses a malformed credential, at every entry. */
  readonly plugin: Plugin;
}

export function createRequestReader(policy: RequestPolicy): RequestReader {
  const byNode = new WeakMap<IncomingMessage, RequestFacts>();
  const byRequest = new WeakMap<Request, RequestFacts>();
  const of = (req: IncomingMessage) => {
    let facts = byNode.get(req);
    if (!facts) {
      const headers = req.headers;
      facts = {
        ...readRequestFacts((name) => {
          const value = headers[name];
          return Array.isArray(value) ? value.join(', ') : value;
        }, policy),
        peer: req.socket?.remoteAddress,
      };
      byNode.set(req, facts);
    }
    return facts;
  };
  const ofRequest = (request: Request) => {
    let facts = byRequest.get(request);
    if (!facts) {
      // Served without node:http (yoga.fetch): read from the fetch headers, once.
      facts = readRequestFacts((name) => request.headers.get(name) ?? undefined, policy);
      byRequest.set(request, facts);
    }
    return facts;
  };
  const plugin: Plugin = {
    onRequest({ request, serverContext, fetchAPI, endResponse }) {
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      const facts = req ? of(req) : ofRequest(request);
      byRequest.set(request, facts);
      if (facts.presented !== 'malformed') return;
      endResponse(new fetchAPI.Response(errorBody(REFUSAL_MESSAGE, { code: 'UNAUTHENTICATED' }), { status: 401, headers: REFUSAL_HEADERS }));
    },
  };
  return { of, ofRequest, plugin };
}
