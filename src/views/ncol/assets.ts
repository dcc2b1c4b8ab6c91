import { createHash } from 'node:crypto';

// The payment page's own stylesheet and script, served by Varco from /ncol/assets/ and referenced
// with Subresource Integrity, so a tampered copy (a cache, a proxy) is refused by the browser. No
// third-party resource is loaded; the CSP allows only 'self' (and the merchant's https LOGO).

export const PAY_CSS = `*{box-sizing:border-box}
body{margin:0;font-family:system-ui,sans-serif;color:#1d2430;background:#f6f7f9;line-height:1.4}
main{max-width:32rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}.logo{max-width:12rem;max-height:5rem;display:block;margin-bottom:1rem}
.test{background:#fff4d6;color:#5c4400;padding:.5rem .75rem;border-radius:4px;margin-bottom:1rem}
.summary{width:100%;border-collapse:collapse;margin-bottom:1rem}.summary th,.summary td{text-align:left;padding:.35rem .25rem;border-bottom:1px solid #e2e5ea}
.summary .total td{font-weight:bold;font-size:1.15rem}
label{display:block;margin:.9rem 0 .25rem;font-weight:600}.hint{display:block;font-weight:normal;font-size:.85rem;color:#505a66}
input{font:inherit;padding:.5rem;width:100%;border:1px solid #8a94a0;border-radius:4px}
input:focus,button:focus{outline:3px solid #2f6fde;outline-offset:1px}
input[aria-invalid=true]{border-color:#a4161a}.field-error{color:#a4161a;margin:.25rem 0 0}
.row{display:flex;gap:1rem}.row>div{flex:1}
.actions{display:flex;gap:1rem;align-items:center;margin-top:1.25rem}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:4px;cursor:pointer;background:#12355b;color:#fff}
button.secondary{background:#e2e5ea;color:#1d2430}
.alert{color:#a4161a;background:#fde8e8;padding:.5rem .75rem;border-radius:4px}
.notice{background:#e8f4fd;padding:.5rem .75rem;border-radius:4px}
.note{font-size:.9rem;color:#505a66;margin:.75rem 0}
.stored{border:1px solid #c9d1da;border-radius:6px;padding:.75rem 1rem;margin-bottom:1.25rem}.stored h2{font-size:1.05rem;margin:0 0 .5rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

// Progressive enhancement only (the server checks everything again): Luhn check of the number as
// it is typed, with the message the page put in data-luhn, and a slash typed into the expiry.
export const PAY_JS = `'use strict';
(function () {
  var number = document.getElementById('card-number');
  if (number) {
    var luhn = function (digits) {
      var sum = 0;
      for (var i = 0; i < digits.length; i++) {
        var d = digits.charCodeAt(digits.length - 1 - i) - 48;
        if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
        sum += d;
      }
      return digits.length >= 12 && sum % 10 === 0;
    };
    var check = function () {
      var digits = number.value.replace(/[\\s-]/g, '');
      number.setCustomValidity(digits === '' || (/^[0-9]+$/.test(digits) && luhn(digits)) ? '' : number.getAttribute('data-luhn') || 'Invalid card number');
    };
    number.addEventListener('input', check);
    number.addEventListener('change', check);
  }
  var expiry = document.getElementById('expiry');
  if (expiry) {
    expiry.addEventListener('input', function (e) {
      if (e.inputType === 'insertText' && /^[0-9]{2}$/.test(expiry.value)) expiry.value = expiry.value + '/';
    });
  }
})();
`;

/** `sha384-…` of a text as served (UTF-8). */
export function integrity(text: string): string {
  return `sha384-${createHash('sha384').update(text, 'utf8').digest('base64')}`;
}

export const PAY_CSS_INTEGRITY = integrity(PAY_CSS);
export const PAY_JS_INTEGRITY = integrity(PAY_JS);
