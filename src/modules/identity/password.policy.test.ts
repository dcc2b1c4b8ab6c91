import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPassword } from './password.ts';

// The password policy: the list of common passwords is read on the first check (issue 15), so the
// first call must already refuse a listed password, in any case.

test('a listed password is refused from the first check on, also in another case', () => {
  assert.equal(checkPassword('password1234'), 'common');
  assert.equal(checkPassword('PASSWORD1234'), 'common');
  assert.equal(checkPassword('123456789012', '123456789012'), 'common');
});

test('length and confirmation are checked, and an unlisted long password passes', () => {
  assert.equal(checkPassword('short-one'), 'too_short');
  assert.equal(checkPassword('a-long-unlisted-passphrase', 'a-long-unlisted-passphrasE'), 'mismatch');
  assert.equal(checkPassword('a-long-unlisted-passphrase', 'a-long-unlisted-passphrase'), undefined);
});
