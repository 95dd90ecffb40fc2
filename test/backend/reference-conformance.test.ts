import { createReferenceBackend } from '../../src/backend/reference/index.js';
import { runConformance } from './conformance.js';

// The float32 reference against the float64 one: proves the suite and its bounds pass on
// correct kernels (the float64 reference checked against itself would prove nothing).
runConformance('reference float32', () => createReferenceBackend('float32'));
