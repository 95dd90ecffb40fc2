export { explain, type ExplainOptions } from './explain.js';
export { explainText } from './text.js';
export type * from './schema.js';
