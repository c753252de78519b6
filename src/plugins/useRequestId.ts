/**
 * Every request has an id: the client's `x-request-id` when it is sane (1–128 visible ASCII
 * characters from a safe set), otherwise a new UUID. It is echoed in the response header, put on
 * the context, and every log line written while the request runs carries it (logger.ts).
 */
import type { Plugin } from 'graphql-yoga';
import { REQUEST_ID_HEADER, requestIdFrom } from '../http/headers.js';
import { requestScope } from '../logger.js';

export function useRequestId(): Plugin {
  const ids = new WeakMap<Request, string>();
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
        ids.set(request, requestId);
        return requestScope.run({ requestId }, wrapped);
      },
    },
    onResponse({ request, response }) {
      const requestId = ids.get(request);
      if (requestId) response.headers.set(REQUEST_ID_HEADER, requestId);
    },
  };
}
