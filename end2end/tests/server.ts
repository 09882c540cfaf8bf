// Starts a real Bosun server for a spec: its own port and data directory, restartable on
// the same data (for the session-survives-restart test).
import { expect, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ADMIN_PASSWORD = 'e2e-admin-password';

const repo = resolve(__dirname, '..', '..');
const binary = process.env.BOSUN_BIN ?? join(repo, 'target', 'debug', 'bosun');
const siteRoot = process.env.BOSUN_SITE_ROOT ?? join(repo, 'target', 'site');

export class BosunServer {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'bosun-e2e-'));
  private child?: ChildProcess;
  log = '';

  constructor(readonly port: number, private readonly extraEnv: Record<string, string> = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(binary, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir, '--site-root', siteRoot], {
      env: { ...process.env, BOSUN_ADMIN_PASSWORD: ADMIN_PASSWORD, BOSUN_NO_DEMO: '1', RUST_LOG: 'info', ...this.extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d) => (this.log += d));
    this.child.stderr?.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`bosun exited early:\n${this.log}`);
      try {
        const res = await fetch(`${this.url}/readyz`);
        if (res.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`bosun did not become ready:\n${this.log}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** Signs in as the first admin through the sign-in page. */
export async function signIn(page: Page, server: BosunServer) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toContainText('admin');
}
