// The browser build's stand-in for src/io/model-dir.ts (the bundler swaps it in): a page has no
// directories to save to.

export async function saveModel(): Promise<never> {
  throw new Error('saving a model writes files, which only Node can do');
}
