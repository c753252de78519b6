/** Assembles the schema: each type file registers itself on the builder. */
import './enums.js';
import './model.js';
import './model-version.js';
import './file.js';
import './image.js';
import './creator.js';
import './tag.js';
import './subscription.js';
import { builder } from './builder.js';
import { guardDrift } from './drift.js';

export const schema = guardDrift(builder.toSchema({ sortSchema: true }));
