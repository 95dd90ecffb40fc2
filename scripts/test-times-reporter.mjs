// A node:test reporter for test:soak: one JSON line per top-level test (or per file that timed
// out or crashed): its file, name, whether it passed, and its duration.
export default async function* testTimes(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.nesting !== 0) continue;
    const { file, name, details } = event.data;
    const ok = event.type === 'test:pass';
    const error = ok ? undefined : String(details.error?.message ?? details.error).slice(0, 300);
    yield JSON.stringify({ file, name, ok, ms: details.duration_ms, error }) + '\n';
  }
}
