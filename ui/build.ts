import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Builds the operator dashboard (ui/src, Preact) into static assets: index.html, app.js and
 * app.css in ui/dist/. Browser code only: nothing here enters a Lambda bundle (infra bundles
 * functions/ entries, which never import ui/).
 *
 * @example
 * const dir = await ensureDashboardAssets(); // builds when ui/src is newer than the assets
 */
export const UI_ROOT = fileURLToPath(new URL('.', import.meta.url));
export const UI_SOURCE_DIR = join(UI_ROOT, 'src');
export const DEFAULT_ASSETS_DIR = join(UI_ROOT, 'dist');
/** The budget for the whole dashboard, gzipped. */
export const GZIP_BUDGET_BYTES = 200 * 1024;

export interface DashboardBuild {
  dir: string;
  /** Bytes of each asset, raw and gzipped. */
  files: Record<string, { bytes: number; gzipBytes: number }>;
  gzipBytes: number;
}

/** Builds the assets into `outDir` (written to temporary names, then renamed: readers never see half a file). */
export async function buildDashboard(outDir = DEFAULT_ASSETS_DIR): Promise<DashboardBuild> {
  // esbuild is a build-time tool (a dev dependency); loaded only when a build is needed.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(UI_SOURCE_DIR, 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    outdir: outDir,
    entryNames: 'app',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = new Map<string, Uint8Array>();
  for (const file of result.outputFiles) outputs.set(file.path.slice(outDir.length + 1), file.contents);
  const html = await readFile(join(UI_ROOT, 'index.html'), 'utf8');
  // Cache busting: the asset names carry a hash of their contents in the query string.
  const version = createHash('sha256')
    .update(outputs.get('app.js') ?? '')
    .update(outputs.get('app.css') ?? '')
    .digest('hex')
    .slice(0, 10);
  outputs.set('index.html', Buffer.from(html.replaceAll('{{version}}', version)));

  await mkdir(outDir, { recursive: true });
  const files: DashboardBuild['files'] = {};
  let gzipBytes = 0;
  for (const [name, contents] of outputs) {
    const target = join(outDir, name);
    const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, contents);
    await rename(temporary, target);
    const gz = gzipSync(contents, { level: 9 }).length;
    files[name] = { bytes: contents.length, gzipBytes: gz };
    gzipBytes += gz;
  }
  return { dir: outDir, files, gzipBytes };
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const { mtimeMs } = await stat(join(entry.parentPath, entry.name));
    newest = Math.max(newest, mtimeMs);
  }
  return newest;
}

/** Sources whose change makes the assets stale: ui/ itself and the shared schedule-expression code it imports. */
async function sourcesMtime(): Promise<number> {
  const shared = fileURLToPath(new URL('../shared/domain/schedule-expression', import.meta.url));
  const times = await Promise.all([
    newestMtime(UI_SOURCE_DIR),
    newestMtime(shared),
    stat(join(UI_ROOT, 'index.html')).then((s) => s.mtimeMs),
    stat(fileURLToPath(import.meta.url)).then((s) => s.mtimeMs),
  ]);
  return Math.max(...times);
}

const pending = new Map<string, Promise<string>>();

/**
 * The assets folder, built first when missing or older than ui/src (once per process). Lets
 * `npm start`, `skyforge ui` and the tests serve a fresh dashboard without a manual build step.
 * Without ui/src (an installed package with prebuilt assets) the folder is used as it is.
 */
export function ensureDashboardAssets(outDir = DEFAULT_ASSETS_DIR): Promise<string> {
  let promise = pending.get(outDir);
  if (!promise) {
    promise = (async () => {
      const built = await stat(join(outDir, 'index.html')).then((s) => s.mtimeMs, () => 0);
      const hasSources = await stat(UI_SOURCE_DIR).then(() => true, () => false);
      if (hasSources && (built === 0 || (await sourcesMtime()) > built)) await buildDashboard(outDir);
      return outDir;
    })();
    pending.set(outDir, promise);
    promise.catch(() => pending.delete(outDir));
  }
  return promise;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const build = await buildDashboard(process.argv[2] ?? DEFAULT_ASSETS_DIR);
  for (const [name, size] of Object.entries(build.files)) {
    console.log(`${name.padEnd(12)} ${String(size.bytes).padStart(8)} B  ${String(size.gzipBytes).padStart(7)} B gzipped`);
  }
  console.log(`total gzipped: ${(build.gzipBytes / 1024).toFixed(1)} KB (budget ${GZIP_BUDGET_BYTES / 1024} KB) -> ${dirname(join(build.dir, 'x'))}`);
  if (build.gzipBytes > GZIP_BUDGET_BYTES) process.exitCode = 1;
}
