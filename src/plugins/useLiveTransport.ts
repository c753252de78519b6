/**
 * How subscription events travel. graphql-yoga serves them over SSE (`Accept:
 * text/event-stream`, the GraphQL over SSE protocol's distinct-connections mode, which the
 * graphql-sse client speaks); since its v4 it no longer streams subscriptions as multipart, which
 * @defer/@stream still use and some clients (Apollo, urql, Relay's helpers) read. Here:
 *  - a subscription whose `Accept` allows neither is refused (406 NOT_ACCEPTABLE) before it
 *    subscribes: yoga picks the answer's format after execution, and a subscription made for an
 *    answer that is never streamed would hold its poll slot until the process ends;
 *  - a subscription that asks for `multipart/mixed` (and not SSE) gets its events as the
 *    multipart parts yoga writes for @defer, one part per event, the closing boundary at the end.
 */
import type { ExecutionResult } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';

type ResultProcessor = Parameters<Parameters<NonNullable<Plugin['onResultProcess']>>[0]['setResultProcessor']>[0];

const STREAMING = /^(text\/event-stream|multipart\/mixed|\*\/\*|text\/\*|multipart\/\*)$/;

function mediaTypesOf(request: Request): string[] {
  return (request.headers.get('accept') || '*/*')
    .toLowerCase()
    .split(',')
    .map((part) => (part.split(';')[0] ?? '').trim());
}

const multipartEvents: ResultProcessor = (result, fetchAPI) => {
  const encoder = new fetchAPI.TextEncoder();
  const results = result as AsyncIterable<ExecutionResult>;
  const iterator = results[Symbol.asyncIterator]();
  const stream = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('\r\n---'));
    },
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (value != null) {
        const body = encoder.encode(JSON.stringify(value));
        controller.enqueue(encoder.encode(`\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${body.byteLength}\r\n\r\n`));
        controller.enqueue(body);
        controller.enqueue(encoder.encode('\r\n---'));
      }
      if (done) {
        controller.enqueue(encoder.encode('--\r\n'));
        controller.close();
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(stream, { status: 200, headers: { 'content-type': 'multipart/mixed; boundary="-"', connection: 'keep-alive', 'cache-control': 'no-store' } });
};

export function useLiveTransport(): Plugin {
  const subscriptions = new WeakSet<Request>();
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (!request) return;
      subscriptions.add(request);
      if (mediaTypesOf(request).some((type) => STREAMING.test(type))) return;
      setResultAndStopExecution({
        errors: [
          createGraphQLError('A subscription streams its events: accept text/event-stream (GraphQL over SSE) or multipart/mixed.', {
            extensions: { code: 'NOT_ACCEPTABLE', http: { status: 406 } },
          }),
        ],
      });
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (resultProcessor || !subscriptions.has(request) || !isAsyncIterable(result)) return;
      if (mediaTypesOf(request).some((type) => type === 'multipart/mixed' || type === 'multipart/*')) setResultProcessor(multipartEvents, 'multipart/mixed');
    },
  };
}
