// A helper thread in a browser (a module Web Worker): gets the compiled kernels and the shared
// memory in one message, then runs the helper loop (Atomics.wait is allowed in workers).
import { helperLoop, type HelperSetup } from './helper-loop.js';
import { kernelImports, type Kernels } from './kernels.js';

addEventListener('message', (event: MessageEvent) => {
  const { module, setup } = event.data as { module: WebAssembly.Module; setup: HelperSetup };
  const instance = new WebAssembly.Instance(module, kernelImports(setup.memory));
  helperLoop(instance.exports as unknown as Kernels, setup);
});
