/**
 * Look-and-feel parameters of the static template (TITLE, BGCOLOR, TXTCOLOR, TBLBGCOLOR,
 * TBLTXTCOLOR, BUTTONBGCOLOR, BUTTONTXTCOLOR, FONTTYPE, LOGO), made safe to place in CSS and HTML
 * attributes. Facts: docs/reference/ogone/hosted-page.md, "Request parameters".
 *
 * A bad look-and-feel value never refuses a payment: it is dropped (the page keeps its default)
 * and reported as a warning for the merchant's error log.
 */

export interface LookAndFeel {
  readonly title?: string;
  /** Colours are `#rrggbb` (lower-case) or a CSS colour keyword: safe as a CSS value as they are. */
  readonly bgColor?: string;
  readonly txtColor?: string;
  readonly tblBgColor?: string;
  readonly tblTxtColor?: string;
  readonly buttonBgColor?: string;
  readonly buttonTxtColor?: string;
  /** Font family names, each letters, digits, spaces and hyphens; the view quotes them. */
  readonly fontFamilies?: readonly string[];
  /** Absolute https URL. */
  readonly logo?: string;
}

export interface LookWarning {
  readonly param: string;
  readonly value: string;
  readonly reason: string;
}

// CSS Color Module level 4 named colours; `transparent` included, `currentcolor` and system colours not.
const NAMED_COLOURS = new Set(
  `
  aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
  burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan
  darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid
  darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet
  deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro
  ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
  lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow
  lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray
  lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine
  mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen
  mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace
  olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred
  papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue
  saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray slategrey
  snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow
  yellowgreen transparent
`
    .trim()
    .split(/\s+/),
);

/**
 * `#RGB`, `#RRGGBB`, `RRGGBB` without the hash (old integrations send it so), or a colour keyword
 * in any case. Anything else could break out of a CSS declaration and is refused.
 */
export function safeColour(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  const hex = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/.exec(v);
  if (hex) {
    const digits = hex[1] ?? '';
    return `#${digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits}`;
  }
  return NAMED_COLOURS.has(v) ? v : undefined;
}

/** `Verdana`, `Trebuchet MS, Arial`, … → family names, or undefined if any is unsafe. */
export function safeFontFamilies(value: string): string[] | undefined {
  const families = value.split(',').map((f) =>
    f
      .trim()
      .replace(/^(["'])(.*)\1$/, '$2')
      .trim(),
  );
  if (families.length === 0 || families.length > 5) return undefined;
  for (const f of families) if (!/^[A-Za-z0-9][A-Za-z0-9 -]{0,39}$/.test(f)) return undefined;
  return families;
}

/** LOGO must be an absolute https URL: an http image would make the payment page mixed content. */
export function safeLogo(value: string): string | undefined {
  if (value.length > 2000 || /[\s\p{Cc}"'<>\\]/u.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.username === '' && url.password === '' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const TITLE_MAX = 100;

type ColourKey = 'bgColor' | 'txtColor' | 'tblBgColor' | 'tblTxtColor' | 'buttonBgColor' | 'buttonTxtColor';
const COLOUR_PARAMS: ReadonlyArray<readonly [param: string, key: ColourKey]> = [
  ['BGCOLOR', 'bgColor'],
  ['TXTCOLOR', 'txtColor'],
  ['TBLBGCOLOR', 'tblBgColor'],
  ['TBLTXTCOLOR', 'tblTxtColor'],
  ['BUTTONBGCOLOR', 'buttonBgColor'],
  ['BUTTONTXTCOLOR', 'buttonTxtColor'],
];

/** Reads the look-and-feel parameters from normalised request values. */
export function readLookAndFeel(values: ReadonlyMap<string, string>): { readonly look: LookAndFeel; readonly warnings: readonly LookWarning[] } {
  const look: { -readonly [K in keyof LookAndFeel]: LookAndFeel[K] } = {};
  const warnings: LookWarning[] = [];
  const given = (param: string): string | undefined => {
    const v = values.get(param);
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const title = given('TITLE');
  if (title !== undefined) {
    // The view escapes it; only length and control characters are ours to bound.
    if (title.length > TITLE_MAX || /\p{Cc}/u.test(title))
      warnings.push({ param: 'TITLE', value: title.slice(0, 100), reason: 'too long or control characters' });
    else look.title = title;
  }
  for (const [param, key] of COLOUR_PARAMS) {
    const raw = given(param);
    if (raw === undefined) continue;
    const colour = safeColour(raw);
    if (colour === undefined) warnings.push({ param, value: raw.slice(0, 100), reason: 'not a #RRGGBB colour or colour name' });
    else look[key] = colour;
  }
  const font = given('FONTTYPE');
  if (font !== undefined) {
    const families = safeFontFamilies(font);
    if (families === undefined) warnings.push({ param: 'FONTTYPE', value: font.slice(0, 100), reason: 'not a list of font names' });
    else look.fontFamilies = families;
  }
  const logo = given('LOGO');
  if (logo !== undefined) {
    const url = safeLogo(logo);
    if (url === undefined) warnings.push({ param: 'LOGO', value: logo.slice(0, 100), reason: 'not an absolute https URL' });
    else look.logo = url;
  }
  return { look, warnings };
}
