import { test, expect } from '@playwright/test';
import { BosunServer, ADMIN_PASSWORD } from './server';

// This server runs the built-in demo cluster, reached through kube-rs over real HTTP.
const server = new BosunServer(3923, { BOSUN_NO_DEMO: '0' });

test.beforeAll(async () => server.start());
test.afterAll(async () => server.stop());

test('the clusters page shows the demo cluster as reachable with its nodes', async ({ page }) => {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toContainText('admin');
  await expect(async () => {
    await page.goto(`${server.url}/clusters`);
    const card = page.locator('li.card[data-cluster="demo"]');
    await expect(card).toContainText('reachable', { timeout: 2_000 });
    await expect(card.getByTestId('nodes')).toHaveText('3 of 3 ready', { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
});

test('the nodes page lists the demo cluster nodes from the watch cache', async ({ page }) => {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toContainText('admin');
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Nodes' }).click();
  const table = page.getByTestId('nodes-table');
  for (const node of ['node-1', 'node-2', 'node-3']) {
    await expect(table.locator(`tr[data-node="${node}"]`)).toContainText('Ready');
  }
});
