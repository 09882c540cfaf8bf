import { test, expect, Page } from '@playwright/test';
import { BosunServer, ADMIN_PASSWORD } from './server';

// The Rollouts and Virtual machines pages on a desktop, against the built-in demo cluster.

const server = new BosunServer(3933, { BOSUN_NO_DEMO: '0' });

test.beforeAll(async () => server.start());
test.afterAll(async () => server.stop());

test.use({ viewport: { width: 1400, height: 900 } });

async function signIn(page: Page) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toContainText('admin');
}

async function open(page: Page, path: string, ready: string) {
  await expect(async () => {
    await page.goto(`${server.url}${path}`);
    await expect(page.locator(ready).first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('the active filter, and an approval from the detail page that the step line follows live', async ({ page }) => {
  await signIn(page);
  await open(page, '/rollouts?active=1', 'tr[data-rollout]');
  await expect(page.locator('tr[data-rollout]')).toHaveCount(1);
  await expect(page.locator('tr[data-rollout=cart-rollout] [data-testid=step]')).toHaveText('1/3');
  await open(page, '/rollouts', 'tr[data-rollout=billing-rollout]');
  await expect(page.locator('tr[data-rollout=billing-rollout]')).toHaveAttribute('data-active', 'false');

  await page.locator('tr[data-rollout=cart-rollout] a').first().click();
  await expect(page.getByTestId('steps')).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('.step[data-step="1"]')).toHaveAttribute('data-state', 'current');
  await page.getByRole('button', { name: 'Approve step 1' }).click();
  await page.getByTestId('dialog-confirm').click();
  await expect(page.getByTestId('toast').first()).toContainText('step 1 of 3 approved');
  await expect(page.locator('.step[data-step="1"]')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('current-step')).toHaveText(/^[23]\/3$/);

  // The approval is on the rollout's history.
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByTestId('tab-history')).toContainText('rollout.approve');
});

test('restart two selected VMs at once, each followed to Running', async ({ page }) => {
  await signIn(page);
  await open(page, '/vms?ns=lab', 'tr[data-vm=build-agent][data-status=Running]');
  await page.getByLabel('Select build-agent').check();
  await page.getByLabel('Select dev-desktop').check();
  await page.getByTestId('selection-bar').getByRole('button', { name: 'Restart selected' }).click();
  const dialog = page.getByTestId('dialog');
  await expect(dialog).toContainText('Restart 2 virtual machines?');
  await dialog.getByTestId('dialog-confirm').click();
  const results = page.getByTestId('vm-batch-results');
  await expect(results.locator('li.ok')).toHaveCount(2, { timeout: 15_000 });
  const operations = page.getByTestId('vm-operations').getByTestId('operation');
  await expect(operations).toHaveCount(2);
  for (const op of await operations.all()) {
    await expect(op).toHaveAttribute('data-state', 'Running', { timeout: 60_000 });
  }
});
