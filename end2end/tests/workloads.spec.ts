import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BosunServer, signIn } from './server';

// Every test acts on the built-in demo cluster through the real console: the hydrated
// page calls server functions, which act through kube-rs on the emulator.

/** Opens a workloads view and waits until the page is hydrated and the row is there. */
async function openWorkloads(page: Page, server: BosunServer, query: string, row: string) {
  await expect(async () => {
    await page.goto(`${server.url}/workloads${query}`);
    await expect(page.locator(`tr[data-workload="${row}"]`)).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function rowAction(page: Page, row: string, action: string) {
  const tr = page.locator(`tr[data-workload="${row}"]`);
  await tr.locator('summary').click();
  await tr.getByRole('button', { name: action, exact: true }).click();
}

const viewports = [
  { name: 'desktop', port: 3930, use: { viewport: { width: 1400, height: 900 } } },
  { name: 'phone', port: 3931, use: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true } },
];

for (const vp of viewports) {
  test.describe(`workloads on ${vp.name}`, () => {
    const server = new BosunServer(vp.port, { BOSUN_NO_DEMO: '0' });
    test.use(vp.use);
    test.beforeAll(async () => server.start());
    test.afterAll(async () => server.stop());

    test('restart a Deployment from its row and watch the rollout complete', async ({ page }) => {
      await signIn(page, server);
      await openWorkloads(page, server, '?cluster=demo&ns=shop', 'demo/shop/deployments/web');
      await rowAction(page, 'demo/shop/deployments/web', 'Restart');
      const dialog = page.getByTestId('dialog');
      await expect(dialog).toContainText('Restart deployment?');
      for (const fact of ['demo (dev)', 'shop', 'Deployment', 'web']) {
        await expect(dialog).toContainText(fact);
      }
      await dialog.getByTestId('dialog-confirm').click();
      await expect(page.getByTestId('toast').first()).toContainText('deployments shop/web restarted successfully');
      const progress = page.locator('[data-testid=rollout-progress][data-workload=web]');
      await expect(progress.locator('.progress-text')).toHaveAttribute('data-state', 'complete', { timeout: 90_000 });
      await expect(progress).toContainText('deployment "web" successfully rolled out');
      if (vp.name === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      }
    });

    test('scale a Deployment', async ({ page }) => {
      await signIn(page, server);
      await openWorkloads(page, server, '?cluster=demo&ns=shop&kind=deployments', 'demo/shop/deployments/api');
      await rowAction(page, 'demo/shop/deployments/api', 'Scale…');
      const dialog = page.getByTestId('dialog');
      await expect(dialog).toContainText('Scale deployment');
      await dialog.getByLabel('Replicas').fill('3');
      await dialog.getByTestId('dialog-confirm').click();
      await expect(page.getByTestId('toast').first()).toContainText('deployments shop/api scaled to 3 replicas');
      await expect(page.locator('tr[data-workload="demo/shop/deployments/api"] td.num')).toContainText('/3');
    });

    test('roll back to revision 1 after reading the diff', async ({ page }) => {
      await signIn(page, server);
      // gateway has one revision; give it a second by changing its image through the demo cluster.
      const kubeconfig = readFileSync(join(server.dataDir, 'demo.kubeconfig'), 'utf8');
      const apiServer = /server: (\S+)/.exec(kubeconfig)![1].replace('https://', 'http://');
      const res = await fetch(`${apiServer}/apis/apps/v1/namespaces/payments/deployments/gateway`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/strategic-merge-patch+json', authorization: 'Bearer demo-token' },
        body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'gateway', image: 'ghcr.io/bosun/gateway:2.0.0' }] } } } }),
      });
      expect(res.ok).toBeTruthy();
      const table = page.getByTestId('revisions-table');
      await expect(async () => {
        await page.goto(`${server.url}/workloads/demo/payments/deployments/gateway?tab=revisions`);
        await expect(table.locator('tr[data-revision="2"]')).toContainText('(current)', { timeout: 2_000 });
      }).toPass({ timeout: 30_000 });
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expect(page.getByTestId('diff')).toContainText('gateway:2.0.0');
      await table.locator('tr[data-revision="1"]').getByRole('button', { name: 'Roll back to 1' }).click();
      const dialog = page.getByTestId('dialog');
      await expect(dialog).toContainText('Roll back deployment to revision 1?');
      const diff = dialog.getByTestId('diff');
      await expect(diff.locator('.removed')).toContainText('ghcr.io/bosun/gateway:2.0.0');
      await expect(diff.locator('.added')).toContainText('ghcr.io/bosun/gateway:1.9.0');
      await dialog.getByTestId('dialog-confirm').click();
      await expect(page.getByTestId('toast').first()).toContainText('deployments payments/gateway rolled back to revision 1');
      await expect(async () => {
        await page.goto(`${server.url}/workloads/demo/payments/deployments/gateway?tab=revisions`);
        await expect(table.locator('tr[data-revision="3"]')).toContainText('ghcr.io/bosun/gateway:1.9.0', { timeout: 2_000 });
        await expect(table.locator('tr[data-revision="3"]')).toContainText('(current)', { timeout: 2_000 });
      }).toPass({ timeout: 30_000 });
    });

    test('batch-restart workloads in two namespaces and read the result of each', async ({ page }) => {
      await signIn(page, server);
      await openWorkloads(page, server, '?cluster=demo', 'demo/shop/deployments/web');
      for (const row of ['demo/shop/deployments/web', 'demo/shop/clonesets/cart', 'demo/data/statefulsets/postgres', 'demo/data/jobs/db-migrate']) {
        await page.locator(`tr[data-workload="${row}"] input[type=checkbox]`).check();
      }
      const bar = page.getByTestId('selection-bar');
      await expect(bar).toContainText('4 selected');
      await bar.getByRole('button', { name: 'Restart selected', exact: true }).click();
      const dialog = page.getByTestId('dialog');
      await expect(dialog).toContainText('Restart 4 workloads?');
      await dialog.getByTestId('dialog-confirm').click();
      const results = page.getByTestId('batch-results');
      await expect(results).toContainText('Batch: 3 restarted, 1 skipped, 0 failed', { timeout: 30_000 });
      await expect(results.locator('li[data-item="web"]')).toHaveAttribute('data-status', 'restarted');
      await expect(results.locator('li[data-item="postgres"]')).toHaveAttribute('data-status', 'restarted');
      await expect(results.locator('li[data-item="db-migrate"]')).toContainText('restarting is not supported');
      await expect(bar).toBeHidden();
    });

    test('cancel in the dialog changes nothing', async ({ page, request }) => {
      await signIn(page, server);
      await openWorkloads(page, server, '?cluster=demo&ns=payments', 'demo/payments/deployments/ledger');
      await rowAction(page, 'demo/payments/deployments/ledger', 'Delete');
      const dialog = page.getByTestId('dialog');
      await expect(dialog).toContainText('Delete deployment?');
      await dialog.getByTestId('dialog-cancel').click();
      await expect(dialog).toBeHidden();
      await page.reload();
      await expect(page.locator('tr[data-workload="demo/payments/deployments/ledger"]')).toBeVisible();
      const audit = await page.evaluate(async () => (await fetch('/api/v1/audit?action=workload.delete')).json());
      expect(audit.data.total).toBe(0);
    });

    test('add a cluster from a pasted kubeconfig', async ({ page }) => {
      await signIn(page, server);
      await page.goto(`${server.url}/clusters`);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByTestId('add-cluster').click();
      const form = page.getByTestId('add-cluster-form');
      await form.getByLabel('Name', { exact: true }).fill('staging');
      const kubeconfig = readFileSync(join(server.dataDir, 'demo.kubeconfig'), 'utf8');
      await form.getByLabel('Kubeconfig (paste it, or choose a file)').fill(kubeconfig);
      await form.getByLabel('Kubeconfig (paste it, or choose a file)').blur();
      await expect(form.getByLabel('Context')).toHaveValue('demo');
      await form.getByLabel('Environment').selectOption('stage');
      await form.getByRole('button', { name: 'Add cluster' }).click();
      await expect(page.getByTestId('toast').first()).toContainText('cluster staging added; it answers');
      const card = page.locator('li.card[data-cluster="staging"]');
      await expect(async () => {
        await page.reload();
        await expect(card.getByTestId('health')).toHaveText('reachable', { timeout: 2_000 });
      }).toPass({ timeout: 30_000 });
      await expect(card).toContainText('stage');
      if (vp.name === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      }
    });
  });
}
