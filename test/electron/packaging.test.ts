/**
 * electron-builder.yml against the schema of the installed electron-builder (packaging itself
 * needs the Electron zip, which these machines cannot download), and its agreement with the
 * build: the main entry, the compiled preload, the shipped tray images.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = process.cwd();
// electron-builder's own dependencies, reached the way it reaches them.
const require = createRequire(join(root, 'node_modules', 'electron-builder', 'package.json'));
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

interface BuilderConfig {
  extraMetadata: { main: string };
  files: string[];
  extraResources: { from: string; to: string }[];
  linux: { target: string[]; category: string; maintainer: string };
  mac: { target: string[]; category: string };
  win: { target: string[] };
  publish: null;
}

const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };

describe('electron-builder.yml', () => {
  it('is valid for the installed electron-builder', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('starts the app where package.json and the build put it', () => {
    expect(config.extraMetadata.main).toBe(pkg.main);
    expect(pkg.main).toBe('dist/electron/main.js');
    expect(config.files).toContain('dist/**');
    const tsconfig = readFileSync(join(root, 'electron', 'tsconfig.json'), 'utf8');
    expect(tsconfig).toMatch(/"outDir": "\.\.\/dist"/);
    expect(readFileSync(join(root, 'electron', 'main.ts'), 'utf8')).toContain("'./preload.cjs'");
  });

  it('builds the promised targets with their metadata, and publishes nothing', () => {
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'], category: 'Network;Chat' });
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(config.mac).toMatchObject({ target: ['dmg'], category: 'public.app-category.social-networking' });
    expect(config.win.target).toEqual(['nsis']);
    expect(config.publish).toBeNull();
  });

  it('ships the tray images and the icon it names', () => {
    const tray = config.extraResources.find((r) => r.to === 'tray');
    expect(tray).toBeDefined();
    for (const file of ['tray-offline.png', 'tray-offline@2x.png', 'trayTemplate.png', 'trayTemplate@2x.png']) {
      expect(existsSync(join(root, tray!.from, file)), file).toBe(true);
    }
    expect(existsSync(join(root, 'build', 'icon.png'))).toBe(true);
  });

  it('has the scripts `npm start` and `npm run dist` rely on', () => {
    expect(pkg.scripts['build:electron']).toBe('tsc -p electron/tsconfig.json && node build/copy-assets.mjs');
    expect(pkg.scripts['build']).toContain('npm run build:electron');
    expect(pkg.scripts['start']).toMatch(/^npm run build && electron \.$/);
    expect(pkg.scripts['dist']).toMatch(/^npm run build && electron-builder /);
  });
});
