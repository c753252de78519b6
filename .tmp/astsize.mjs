import { parse } from 'graphql';
const gc = globalThis.gc;
function measure(make, n=200) {
  gc(); gc();
  const before = process.memoryUsage().heapUsed;
  const keep = [];
  for (let i = 0; i < n; i++) { const s = make(i); keep.push([s, parse(s)]); }
  gc(); gc();
  const after = process.memoryUsage().heapUsed;
  const s = make(0);
  let tokens = 0; for (let t = keep[0][1].loc.startToken; t; t = t.next) tokens++;
  console.log(JSON.stringify({len: s.length, tokens, perDoc: Math.round((after-before)/n), perChar: ((after-before)/n/s.length).toFixed(1), perToken: ((after-before)/n/tokens).toFixed(1)}));
  return keep.length;
}
measure(i => `query D${i} { __typename }`);
measure(i => `# ${i} ${'x'.repeat(96000)}\n{ __typename }`, 50);
measure(i => `query D${i} { ${'__typename '.repeat(1990)} }`, 50);
measure(i => `query D${i} { ${'a '.repeat(1990)} }`, 50);
measure(i => `query D${i} ${'{ a '.repeat(990)}${'} '.repeat(990)}`, 50);
measure(i => `query D${i}(${Array.from({length:600},(_, k)=>`$v${k}: I`).join(' ')}) { a }`, 50);
