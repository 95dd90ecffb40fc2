// A helper thread in Node (worker_threads): instantiates the kernels on the shared memory and
// runs the helper loop until the pool stops it.
import { workerData } from 'node:worker_threads';
import { helperLoop, type HelperSetup } from './helper-loop.js';
import { kernelImports, type Kernels } from './kernels.js';

const { module, setup } = workerData as { module: WebAssembly.Module; setup: HelperSetup };
const instance = new WebAssembly.Instance(module, kernelImports(setup.memory));
helperLoop(instance.exports as unknown as Kernels, setup);
