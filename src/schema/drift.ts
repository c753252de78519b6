/**
 * Drift at the schema: a field whose upstream value could not be read (a `Drift` marker, see
 * src/upstream/read.ts) resolves to an UPSTREAM_BAD_RESPONSE error with `reason: "DRIFT"` at its
 * own path, and only when it is selected. One guard wraps every resolver of the schema, so no
 * resolver has to remember: resolvers hand markers through (`asRead`, `through`) and the guard
 * turns them into errors. A non-null field that drifts nulls its item (the nodes of connections
 * are nullable), never the page. Items a connection had to leave out (no identity) are reported
 * once at the connection's path, beside its data (`leftOutErrors`, useDriftErrors).
 */
import { defaultFieldResolver, getNamedType, GraphQLError, isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { CodedError } from '../errors.js';
import { isDrift, type Drift, type Drifting } from '../drift.js';

/** A value as its field resolves it: a Drift marker passes through, for the guard to turn into the field's error. */
export const asRead = <T>(value: Drifting<T>): T => value as T;

/** `read` over a value that could be read; a Drift marker passes through. */
export const through = <T, R>(value: Drifting<T>, read: (value: T) => R): R => (isDrift(value) ? (value as unknown as R) : read(value));

export function driftError(info: GraphQLResolveInfo, drift: Drift): CodedError {
  return new CodedError(
    'UPSTREAM_BAD_RESPONSE',
    `Civitai sent a value this API cannot read for \`${info.parentType.name}.${info.fieldName}\` (${drift['~drift']} arrived).`,
    { reason: 'DRIFT' },
  );
}

/** Set by a connection on its result: how many items it left out. */
export const LEFT_OUT = Symbol('leftOut');
type LeftOutMarked = { [LEFT_OUT]?: number };

const pending = new WeakMap<object, GraphQLError[]>();

/** Errors of items left out by the connections of this request, taken once. */
export function leftOutErrors(context: object): GraphQLError[] {
  const errors = pending.get(context) ?? [];
  pending.delete(context);
  return errors;
}

function noteLeftOut(context: unknown, info: GraphQLResolveInfo, count: number): void {
  if (typeof context !== 'object' || context === null) return;
  const list = pending.get(context) ?? [];
  const items = count === 1 ? '1 item' : `${count} items`;
  const path: Array<string | number> = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) path.unshift(p.key);
  list.push(
    new GraphQLError(`Civitai sent ${items} without an id in this list: ${count === 1 ? 'it was' : 'they were'} left out.`, {
      path,
      extensions: { code: 'UPSTREAM_BAD_RESPONSE', reason: 'DRIFT' },
    }),
  );
  pending.set(context, list);
}

function guarded(resolve: GraphQLFieldResolver<unknown, unknown>, connection: boolean): GraphQLFieldResolver<unknown, unknown> {
  const check = (value: unknown, context: unknown, info: GraphQLResolveInfo) => {
    if (typeof value !== 'object' || value === null) return value;
    if (isDrift(value)) throw driftError(info, value);
    const left = connection ? (value as LeftOutMarked)[LEFT_OUT] : undefined;
    if (left) noteLeftOut(context, info, left);
    return value;
  };
  return (parent, args, context, info) => {
    const value = resolve(parent, args, context, info);
    if (value instanceof Promise) return value.then((v: unknown) => check(v, context, info));
    return check(value, context, info);
  };
}

/** The schema with every field resolver guarded (the schema is changed in place and returned). */
export function guardDrift(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const connection = getNamedType(field.type).name.endsWith('Connection');
      field.resolve = guarded(field.resolve ?? defaultFieldResolver, connection);
    }
  }
  return schema;
}
