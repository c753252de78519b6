import { GraphQLInt, GraphQLList, GraphQLObjectType as ObjectType, GraphQLString, isInterfaceType, isObjectType, type GraphQLInterfaceType, type GraphQLNamedType, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costOf } from '../../src/schema/cost.js';
import { schema } from '../../src/schema/index.js';

/** Every field of every object and interface type, with how the cost plan reads it. */
function readings() {
  return Object.values(schema.getTypeMap())
    .filter((type: GraphQLNamedType): type is GraphQLObjectType | GraphQLInterfaceType => !type.name.startsWith('__') && (isObjectType(type) || isInterfaceType(type)))
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ coordinate: `${type.name}.${field.name}`, reading: costOf(field) })));
}

describe('every field says what it costs upstream', () => {
  it('when the schema is built, then no field that may reach a loader goes without a cost declaration', () => {
    const undeclared = readings()
      .filter((r) => r.reading.kind === 'undeclared')
      .map((r) => `${r.coordinate}: ${r.reading.kind === 'undeclared' ? r.reading.why : ''}`);
    expect(undeclared, 'declare `extensions: cost({...})` (src/schema/cost.ts) on these fields').toEqual([]);
  });

  it('when a field takes the context or lists objects without a declaration, then it reads as undeclared; one that only reads its parent is free', () => {
    const Item = new ObjectType({ name: 'Item', fields: { n: { type: GraphQLInt } } });
    const Probe = new ObjectType<unknown, unknown>({
      name: 'Probe',
      fields: {
        loads: { type: GraphQLString, resolve: (_parent, _args, ctx) => (ctx as { load(): string }).load() },
        items: { type: new GraphQLList(Item), resolve: () => [] },
        reads: { type: GraphQLString, resolve: (parent) => (parent as { s: string }).s },
        plain: { type: GraphQLString },
      },
    });
    const kinds = Object.values(Probe.getFields()).map((field) => [field.name, costOf(field).kind]);
    expect(kinds).toEqual([['loads', 'undeclared'], ['items', 'undeclared'], ['reads', 'free'], ['plain', 'free']]);
  });
});
