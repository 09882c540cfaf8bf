import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BosunServer, ADMIN_PASSWORD } from './server';

// Live pages: the Pods page follows the cluster through the server's live stream. A pod
// deleted with kubectl leaves the open page within seconds, without a reload; the demo
// cluster also carries generated pods (--demo-pods), which the page pages through.

const server = new BosunServer(3940, { BOSUN_NO_DEMO: '0', BOSUN_DEMO_PODS: '300' });
test.beforeAll(async () => server.start());
test.afterAll(async () => server.stop());

test('a pod deleted with kubectl leaves the open Pods page without a reload', async ({ page }) => {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toContainText('admin');

  const rows = page.locator('[data-testid=pods-table] tr[data-pod]');
  await expect(async () => {
    await page.goto(`${server.url}/pods?cluster=demo&ns=load-000`);
    await expect(rows.first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('live-state')).toContainText('Live');
  // 300 generated pods in one namespace: the first page of 100, with the total.
  await expect(page.getByTestId('pods-range')).toContainText('of ');
  const victim = (await rows.first().getAttribute('data-pod'))!;
  const survivor = (await rows.nth(1).getAttribute('data-pod'))!;
  // A mark on the document: a reload would lose it.
  await page.evaluate(() => ((window as any).__bosunMark = 'kept'));

  execFileSync('kubectl', [
    '--kubeconfig', join(server.dataDir, 'demo.kubeconfig'),
    '-n', 'load-000', 'delete', 'pod', victim, '--grace-period=0', '--force',
  ], { stdio: 'pipe' });

  await expect(page.locator(`tr[data-pod="${victim}"]`)).toHaveCount(0, { timeout: 5_000 });
  await expect(page.locator(`tr[data-pod="${survivor}"]`)).toBeVisible();
  expect(await page.evaluate(() => (window as any).__bosunMark)).toBe('kept');
});
