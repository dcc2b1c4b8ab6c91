import { integrity } from './assets.ts';

// The merchant's look and feel (TITLE, colours, FONTTYPE, LOGO) as a per-order stylesheet: the CSP
// forbids inline styles, so the colours travel in a stylesheet Varco serves for the order, linked
// with Subresource Integrity like the page's own assets. Values arrive validated (hex colours or
// colour keywords, font names of letters, digits, spaces and hyphens), so they cannot break out
// of a declaration; the quoting below is belt and braces.

export interface LookView {
  title?: string;
  bgColor?: string;
  txtColor?: string;
  tblBgColor?: string;
  tblTxtColor?: string;
  buttonBgColor?: string;
  buttonTxtColor?: string;
  fontFamilies?: readonly string[];
  logo?: string;
}

const SAFE_VALUE = /^[#a-zA-Z0-9]+$/;
const SAFE_FONT = /^[A-Za-z0-9 -]+$/;

function rule(selector: string, declarations: Array<[string, string | undefined]>): string {
  const body = declarations
    .filter((d): d is [string, string] => d[1] !== undefined && SAFE_VALUE.test(d[1]))
    .map(([p, v]) => `${p}:${v}`)
    .join(';');
  return body === '' ? '' : `${selector}{${body}}\n`;
}

/** The stylesheet for a look, or '' when the request set no colour or font. */
export function lookStylesheet(look: LookView): string {
  const fonts = (look.fontFamilies ?? []).filter((f) => SAFE_FONT.test(f)).map((f) => `"${f}"`);
  const font = fonts.length > 0 ? `body{font-family:${fonts.join(',')},system-ui,sans-serif}\n` : '';
  return [
    rule('body', [
      ['background', look.bgColor],
      ['color', look.txtColor],
    ]),
    rule('main,.summary', [
      ['background', look.tblBgColor],
      ['color', look.tblTxtColor],
    ]),
    rule('button.pay', [
      ['background', look.buttonBgColor],
      ['color', look.buttonTxtColor],
    ]),
    font,
  ].join('');
}

export function lookIntegrity(look: LookView): string {
  return integrity(lookStylesheet(look));
}
