export { explain, type ExplainOptions } from './explain.js';
export type * from './schema.js';
