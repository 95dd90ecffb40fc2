/**
 * What every dataset loader yields: labelled texts, or bad rows described in one line each
 * (file and line), which the dataset builder either reports as an error or counts and skips.
 */
export type SourceSplit = 'train' | 'test';

export interface TextRow {
  text: string;
  /** One class name, or several for a multi-label row. */
  labels: string[];
  /** True when the source gives a list of labels (JSON Lines `labels`): multi-label data. */
  multiLabel?: boolean;
  /** The split the source puts the row in, when it has splits (train/ and test/ folders). */
  split?: SourceSplit;
}

export interface BadRow {
  /** `file:line: problem`. */
  bad: string;
}

export type RowItem = TextRow | BadRow;

export function isBad(item: RowItem): item is BadRow {
  return 'bad' in item;
}

/** Reading a dataset is done twice (labels first, then text): a loader is a restartable stream. */
export type RowSource = () => AsyncIterable<RowItem>;
