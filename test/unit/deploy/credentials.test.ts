import { describe, expect, it } from 'vitest';
import { sessionName } from '../../../src/deploy/credentials.js';

describe('credentials', () => {
  it('sessionName is a valid RoleSessionName', () => {
    expect(sessionName({ GITHUB_RUN_ID: '123', GITHUB_RUN_ATTEMPT: '2' })).toBe('nix-lambda-123-2');
    expect(sessionName({})).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});
