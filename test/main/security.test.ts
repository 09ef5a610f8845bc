import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_CSP, SECURE_WEB_PREFERENCES } from '../../electron/main/security';
import { repoRoot } from '../support/shared-data';

describe('window security', () => {
  it('lists the media scheme in the page policy, and the window runs isolated, sandboxed and without Node.js', () => {
    expect(APP_CSP).toMatch(/img-src [^;]*shoebox-media:/);
    expect(APP_CSP).toMatch(/script-src 'self';/);
    expect(APP_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(SECURE_WEB_PREFERENCES).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
  });

});

describe('content security policy', () => {
  it('the built page carries the policy main sends as a header (less frame-ancestors, which <meta> cannot set)', async () => {
    const html = await readFile(path.join(repoRoot, 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    const directives = (policy: string) =>
      Object.fromEntries(
        policy
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0] && d[0] !== 'frame-ancestors')
          .map(([name, ...values]) => [name, values.sort().join(' ')]),
      );
    expect(meta).toBeDefined();
    expect(directives(meta!)).toEqual(directives(APP_CSP));
  });
});
