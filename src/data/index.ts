export { DataError } from './errors.js';
export { readReviews, type Review, type Split } from './archive.js';
export {
  ARCHIVE_NAME,
  IMDB_SHA256,
  IMDB_URL,
  defaultCacheDir,
  downloadArchive,
  resolveSource,
  type DownloadOptions,
  type DownloadProgress,
  type Fetch,
  type SourceOptions,
} from './source.js';
export { loadImdb, type ImdbData, type ImdbSplit, type LoadImdbOptions } from './imdb.js';
export { tokenize, KERAS_FILTERS, TOKENIZER_CONFIG } from '../text/tokenize.js';
export { padSequences, type PadOptions, type PadSide } from '../text/pad.js';
export {
  Vocabulary,
  INDEX_FROM,
  OOV_CHAR,
  PAD_CHAR,
  START_CHAR,
  type VocabularyJson,
} from '../text/vocabulary.js';
