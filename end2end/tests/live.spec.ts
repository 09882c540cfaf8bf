import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BosunServer, ADMIN_PASSWORD } from './server';

// Live pages: the Pods, Resources and Nodes pages follow the cluster through the server's
// live streams. A pod deleted, a ConfigMap made, a node cordoned with kubectl show on the
// open page within seconds, without a reload; the demo
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

test('a ConfigMap made and a node cordoned with kubectl show on the open Resources and Nodes pages', async ({ page }) => {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toContainText('admin');
  const kubectl = (...args: string[]) =>
    execFileSync('kubectl', ['--kubeconfig', join(server.dataDir, 'demo.kubeconfig'), ...args], { stdio: 'pipe' });

  await page.goto(`${server.url}/resources/configmaps?cluster=demo&ns=shop`);
  await expect(page.locator('tr[data-name="web-config"]')).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.evaluate(() => ((window as any).__bosunMark = 'kept'));
  kubectl('-n', 'shop', 'create', 'configmap', 'live-flags', '--from-literal=beta=on');
  await expect(page.locator('tr[data-name="live-flags"]')).toBeVisible({ timeout: 5_000 });
  kubectl('-n', 'shop', 'delete', 'configmap', 'live-flags');
  await expect(page.locator('tr[data-name="live-flags"]')).toHaveCount(0, { timeout: 5_000 });

  // Client-side navigation keeps the mark; a reload anywhere would lose it.
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Nodes' }).click();
  const node = page.locator('tr[data-node="node-2"]');
  await expect(node).toBeVisible();
  await expect(node).not.toContainText('SchedulingDisabled');
  kubectl('cordon', 'node-2');
  await expect(node).toContainText('SchedulingDisabled', { timeout: 5_000 });
  kubectl('uncordon', 'node-2');
  await expect(node).not.toContainText('SchedulingDisabled', { timeout: 5_000 });
  // Both pages changed in place: no reload happened.
  expect(await page.evaluate(() => (window as any).__bosunMark)).toBe('kept');
});
