// The configuration is composed of the core's variables and each platform's own (src/platforms/*):
// .env.example and the README's table must list exactly those, so a new platform's variables cannot
// be forgotten in either, and a removed one does not linger.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../src/config.js';
import { PLATFORMS } from '../src/platforms/index.js';

const variables = Object.keys(envSchema.shape).sort();

describe('configuration documents', () => {
  it('.env.example lists every variable the schema reads, and no other', () => {
    const example = fs.readFileSync('.env.example', 'utf8');
    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect([...new Set(listed)].sort()).toEqual(variables);
  });

  it('the README\'s configuration table describes every variable, and no other', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect([...new Set(rows)].sort()).toEqual(variables);
  });

  it('every platform\'s own variables are part of the schema', () => {
    for (const p of PLATFORMS) for (const key of Object.keys(p.env)) expect(variables).toContain(key);
    expect(variables).toEqual(expect.arrayContaining(['LARK_APP_ID', 'WECHAT_ENABLED']));
  });
});
