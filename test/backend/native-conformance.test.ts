import { describe } from 'node:test';
import {
  createNativeBackend,
  loadNativeAddon,
  type NativeVariant,
} from '../../src/backend/native/index.js';
import { runConformance } from './conformance.js';

const { addon, error } = loadNativeAddon();

if (addon === null) {
  describe(
    'native backend conformance',
    { skip: `native addon not available: ${error}` },
    () => {},
  );
} else {
  // Every variant this CPU runs (a forced lower one covers machines without AVX-512), on 1 and 2
  // threads (2 threads with every op split, however small). The seed shapes (slow on the float64
  // oracle) run once, on the fastest variant split over 2 threads: the kernels' code paths are the
  // same at every size.
  const variants = addon.info().variants as NativeVariant[];
  for (const variant of variants) {
    for (const threads of [1, 2]) {
      runConformance(
        `native ${variant} ×${threads}`,
        () => createNativeBackend({ variant, threads, parallelWork: 0 }),
        {
          seedShapes: variant === variants[0] && threads === 2,
          oneThread: threads === 2 ? () => createNativeBackend({ variant, threads: 1 }) : undefined,
        },
      );
    }
  }
}
