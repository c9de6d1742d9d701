// The dashboard's page: dist/ui (the Vite build of ui/: index.html and
// content-hashed assets), read once at start and served at / under a strict
// Content-Security-Policy (only this origin's scripts, styles and requests;
// no inline code, no framing). Hashed assets are immutable; index.html is
// revalidated, so a new version of the operator shows its new page.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface UiFile {
  body: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

/** Security headers of every page response. */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/** dist/ui next to the running code: dist/server/dashboard → dist/ui; from src/ (tests) → <repo>/dist/ui. */
export function defaultUiDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = resolve(here, '../../ui');
  if (existsSync(join(built, 'index.html'))) return built;
  return resolve(here, '../../../dist/ui');
}

export class StaticUi {
  private readonly files = new Map<string, UiFile>();

  constructor(readonly dir: string) {
    if (!existsSync(join(dir, 'index.html'))) return;
    for (const file of walk(dir)) {
      const path = `/${relative(dir, file).split(sep).join('/')}`;
      const body = readFileSync(file);
      this.files.set(path, {
        body,
        type: TYPES[extname(file)] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        // Vite names what it hashes name-<hash>.ext under assets/.
        immutable: path.startsWith('/assets/'),
      });
    }
  }

  /** The page was built (npm run build:ui). */
  get present(): boolean {
    return this.files.has('/index.html');
  }

  /** The file of a URL path (/ is index.html), or undefined. */
  file(path: string): UiFile | undefined {
    return this.files.get(path === '/' ? '/index.html' : path);
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
