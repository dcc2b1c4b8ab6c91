// The POST forms of a server-rendered page, read as a browser would submit them untouched: for the
// sweeps that submit every form of every page (test/faults/fuzz-forms.test.ts, tenancy-sweep.test.ts).
// Varco's own markup only: attributes in double quotes, escaped by the views' html template.

export interface PageForm {
  /** The page the form was found on. */
  page: string;
  action: string;
  fields: Array<[string, string]>;
}

const unescape = (s: string): string =>
  s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m?.[1] === undefined ? undefined : unescape(m[1]);
};

/** The POST forms of a page, each with the values a user would send unchanged (first option, checked boxes). */
export function postFormsOf(page: string, html: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const [, open = '', inner = ''] = m;
    if ((attr(open, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const action = attr(open, 'action') ?? page;
    if (/sign-out/.test(action)) continue;
    const fields: Array<[string, string]> = [];
    for (const input of inner.matchAll(/<input\b[^>]*>/g)) {
      const tag = input[0];
      const name = attr(tag, 'name');
      if (!name) continue;
      const type = (attr(tag, 'type') ?? 'text').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && !/\schecked\b/.test(tag)) continue;
      fields.push([name, attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : '')]);
    }
    for (const select of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attr(select[1] ?? '', 'name');
      const option = /<option\b([^>]*)>/.exec(select[2] ?? '');
      if (name) fields.push([name, attr(option?.[1] ?? '', 'value') ?? '']);
    }
    // The first named button, as if it were pressed (the language switch sends its value so).
    const button = /<button\b([^>]*)>/.exec(inner.replace(/<button\b(?![^>]*\sname=)[^>]*>/g, ''));
    const pressed = attr(button?.[1] ?? '', 'name');
    if (pressed) fields.push([pressed, attr(button?.[1] ?? '', 'value') ?? '']);
    for (const area of inner.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const name = attr(area[1] ?? '', 'name');
      if (name) fields.push([name, unescape(area[2] ?? '')]);
    }
    forms.push({ page, action: action.split('#')[0] ?? action, fields });
  }
  return forms;
}
