// The browser's Keras import (web/build.mjs → web/dist/gated-keras.js): importKerasBytes with
// h5wasm's browser build, whose HDF5 library (~4 MB of wasm, inlined) only a page that imports a
// .keras file needs. It shares the library's code with gated.js (one chunk), so the model it
// returns is the same Sequential that gated.js predicts and explains with.
export { importKerasBytes, type ImportedKeras } from '../interop/keras/import.js';
