const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `width` characters as a terminal shows them, with "..." when cut. It cuts
 * between graphemes (an emoji, a flag or a letter with its accents stays whole), never inside a
 * UTF-16 surrogate pair, and reads no further than it shows.
 */
export function truncateForDisplay(text: string, width: number): string {
  const kept: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length === width) return kept.slice(0, width - 3).join('') + '...';
    kept.push(segment);
  }
  return text;
}
