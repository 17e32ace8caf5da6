import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** What GitHub Marketplace checks in action.yml before it lists a release. */

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

interface ActionMetadata {
  name?: unknown;
  description?: unknown;
  author?: unknown;
  branding?: { icon?: unknown; color?: unknown };
  runs?: { using?: unknown };
}

const action = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata;

describe('action.yml for the Marketplace', () => {
  it('has a description shorter than 125 characters (the Marketplace refuses longer ones)', () => {
    expect(typeof action.description).toBe('string');
    const description = action.description as string;
    expect(description.trim()).toBe(description);
    expect(description.length).toBeGreaterThan(20);
    expect(description.length, description).toBeLessThan(125);
  });

  it('has a name, an author and branding', () => {
    expect(typeof action.name).toBe('string');
    expect((action.name as string).length).toBeGreaterThan(0);
    expect(typeof action.author).toBe('string');
    expect(typeof action.branding?.icon).toBe('string');
    expect(typeof action.branding?.color).toBe('string');
  });

  it('runs on a Node.js runtime (nodeNN), the one check-dist and the release build with', () => {
    expect(action.runs?.using).toMatch(/^node\d+$/);
  });
});
