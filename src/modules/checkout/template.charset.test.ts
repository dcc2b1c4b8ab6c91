import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTemplate, templateEncoding } from './template.charset.ts';

// The order a browser reads a page's character set in (WHATWG HTML's prescan, simplified): byte order
// mark, Content-Type charset, a <meta> in the first 1024 bytes, else UTF-8; unknown labels passed over.

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

test('a byte order mark, then the Content-Type charset, decide over the page', () => {
  assert.equal(templateEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('<meta charset=latin1>')]), 'text/html; charset=latin1'), 'utf-8');
  assert.equal(templateEncoding(Buffer.from([0xff, 0xfe, 0x3c, 0]), 'text/html'), 'utf-16le');
  assert.equal(templateEncoding(bytes('<meta charset=utf-8>'), 'text/html;charset="ISO-8859-1"'), 'windows-1252');
  assert.equal(templateEncoding(bytes('<meta charset=utf-8>'), ['text/html; Charset=iso-8859-2']), 'iso-8859-2');
  // A label no encoding has is passed over: the page's own declaration, else UTF-8.
  assert.equal(templateEncoding(bytes('<meta charset="latin1">'), 'text/html; charset=x-nothing'), 'windows-1252');
  assert.equal(templateEncoding(bytes('<meta charset="x-nothing">'), 'text/html; charset=x-nothing'), 'utf-8');
  assert.equal(templateEncoding(bytes('<html>'), undefined), 'utf-8');
});

test('the prescan reads <meta charset> and http-equiv Content-Type, as a browser does', () => {
  const of = (page: string): string => templateEncoding(bytes(page), 'text/html');
  assert.equal(of('<!doctype html><html><head><META CHARSET=ISO-8859-1>'), 'windows-1252');
  assert.equal(of(`<meta http-equiv='Content-Type' content='text/html; charset="windows-1252"'>`), 'windows-1252');
  assert.equal(of('<meta content="text/html;charset=iso-8859-15" http-equiv=content-type>'), 'iso-8859-15');
  // content= without the pragma declares nothing; the first declaration counts.
  assert.equal(of('<meta content="text/html; charset=latin1"><meta charset=iso-8859-2>'), 'iso-8859-2');
  assert.equal(of('<meta charset=iso-8859-2><meta charset=latin1>'), 'iso-8859-2');
  // Not in a comment, not inside another tag's quoted attribute, not beyond 1024 bytes.
  assert.equal(of('<!-- <meta charset=latin1> --><meta charset=iso-8859-2>'), 'iso-8859-2');
  assert.equal(of('<!--><meta charset=latin1>'), 'windows-1252');
  assert.equal(of('<link title="<meta charset=latin1>"><meta charset=iso-8859-2>'), 'iso-8859-2');
  assert.equal(of(`<title>${'x'.repeat(1024)}</title><meta charset=latin1>`), 'utf-8');
  assert.equal(of('<!-- <meta charset=latin1>'), 'utf-8');
  // A page read in its own bytes cannot be UTF-16; x-user-defined is windows-1252 here.
  assert.equal(of('<meta charset=utf-16>'), 'utf-8');
  assert.equal(of('<meta charset=x-user-defined>'), 'windows-1252');
});

test('an XHTML template names its encoding in its XML declaration', () => {
  const page = bytes('<?xml version="1.0" encoding="ISO-8859-1"?><html xmlns="http://www.w3.org/1999/xhtml">');
  assert.equal(templateEncoding(page, 'application/xhtml+xml'), 'windows-1252');
  assert.equal(templateEncoding(page, 'text/html'), 'utf-8');
});

test('the text: decoded in that encoding, a NUL as U+FFFD', () => {
  assert.equal(decodeTemplate(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80]), 'text/html; charset=latin1'), 'Caf\u00e9 \u20ac');
  assert.equal(decodeTemplate(Buffer.from('Caf\u00e9\0', 'utf8'), 'text/html'), 'Caf\u00e9\ufffd');
});
