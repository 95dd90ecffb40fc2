import type { Explanation } from '../explain/schema.js';
import { EXPLANATION_STYLE, renderExplanation } from './explain-view.js';
import { escapeHtml, renderPage } from './report-page.js';

/** An explanation as JSON with numbers to 6 significant digits (float32 carries about 7). */
export function explanationJson(e: Explanation): string {
  return JSON.stringify(e, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v,
  );
}

/**
 * explain.html: one self-contained page (Chart.js inlined, no request allowed) that draws the
 * explanation with the same view as the web page (explain-view.ts, inlined as source).
 */
export function renderExplainPage(e: Explanation): string {
  const shown = e.text ?? e.tokens.map((t) => t.text).join(' ');
  const title = `Inside one prediction: ${e.output.meaning} = ${e.output.value.toFixed(4)}`;
  const body = `<p class="note">${escapeHtml(shown.length > 300 ? `${shown.slice(0, 297)}…` : shown)}</p>
<div id="explanation"></div>`;
  const script = `(${renderExplanation.toString()})(document.getElementById('explanation'), ${explanationJson(e).replace(/</g, '\\u003c')}, Chart);`;
  return renderPage(title, body, [], { style: EXPLANATION_STYLE, script });
}
