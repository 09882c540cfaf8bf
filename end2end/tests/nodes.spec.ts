import { test, expect } from '@playwright/test';
import { BosunServer, signIn } from './server';

// Nodes: from the list to a node's page, taint and label it in place, then drain it and
// watch every pod's eviction on the page until the drain has succeeded; on a desktop
// and on a phone, each against a demo cluster of its own with generated load nodes.

const viewports = [
  { name: 'desktop', port: 3941, node: 'load-node-0000', use: { viewport: { width: 1400, height: 900 } } },
  { name: 'phone', port: 3942, node: 'load-node-0001', use: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true } },
];

for (const vp of viewports) {
  test.describe(`nodes on ${vp.name}`, () => {
    const server = new BosunServer(vp.port, { BOSUN_NO_DEMO: '0', BOSUN_DEMO_PODS: '300', BOSUN_METRICS_EVERY: '1' });
    test.use(vp.use);
    test.beforeAll(async () => server.start());
    test.afterAll(async () => server.stop());

    test('taint, label and drain a node, watching each pod leave', async ({ page }) => {
      test.setTimeout(120_000);
      await signIn(page, server);
      await expect(async () => {
        await page.goto(`${server.url}/nodes?q=${vp.node}`);
        await expect(page.locator(`tr[data-node="${vp.node}"]`)).toBeVisible({ timeout: 2_000 });
      }).toPass({ timeout: 30_000 });
      await page.locator(`tr[data-node="${vp.node}"] a`).click();
      await expect(page.getByRole('heading', { name: vp.node })).toBeVisible();
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await expect(page.getByTestId('node-status')).toHaveText('Ready');
      await expect(page.locator('[data-testid=resources] [data-resource=cpu]')).toContainText('requested');

      await page.getByLabel('Taint key').fill('bosun.dev/maintenance');
      await page.getByLabel('Taint effect').selectOption('PreferNoSchedule');
      await page.getByRole('button', { name: 'Add taint' }).click();
      await expect(page.locator('[data-taint="bosun.dev/maintenance:PreferNoSchedule"]')).toBeVisible();
      await page.getByLabel('Label key').fill('bosun.dev/owner');
      await page.getByLabel('Label value').fill('e2e');
      await page.getByRole('button', { name: 'Set label' }).click();
      await expect(page.locator('[data-label="bosun.dev/owner"]')).toContainText('bosun.dev/owner=e2e');

      const podsBefore = await page.locator('[data-testid=node-pods] tr[data-pod]').count();
      expect(podsBefore).toBeGreaterThan(0);
      await page.getByTestId('drain-form').locator('summary').click();
      await page.getByTestId('drain-empty-dir').check();
      await page.getByTestId('drain-force').check();
      await page.getByLabel('Grace period (s)').fill('0');
      await page.getByTestId('drain').click();

      const op = page.getByTestId('operation');
      await expect(op.getByTestId('operation-items')).toBeVisible({ timeout: 10_000 });
      // Each pod has a row with its state; the DaemonSet's pod is left alone.
      await expect(op.locator('tr[data-item][data-state="Skipped"]').first()).toBeVisible();
      await expect(op).toHaveAttribute('data-state', 'Succeeded', { timeout: 90_000 });
      await expect(op.locator('tr[data-item][data-state="Evicted"]').first()).toBeVisible();
      await expect(op.locator('tr[data-item][data-state="Pending"]')).toHaveCount(0);
      await expect(page.getByTestId('node-status')).toHaveText('Ready,SchedulingDisabled', { timeout: 10_000 });

      if (vp.name === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      }
      await page.getByTestId('cordon').click();
      await expect(page.getByTestId('node-status')).toHaveText('Ready', { timeout: 10_000 });
    });

    test('the node and pod usage charts draw a line that grows', async ({ page }) => {
      await signIn(page, server);
      await page.goto(`${server.url}/nodes/demo/node-1`);
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      const cpu = page.getByTestId('chart-cpu');
      await expect(cpu).toContainText('allocatable');
      const line = cpu.getByTestId('usage-line');
      await expect(line).toBeVisible({ timeout: 20_000 });
      const first = Number(await line.getAttribute('data-points'));
      expect(first).toBeGreaterThanOrEqual(2);
      // The page looks again each sampling period: the line gains points without a reload.
      await expect.poll(async () => Number(await line.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(first);
      await expect(page.getByTestId('chart-memory').getByTestId('usage-line')).toBeVisible();

      await page.goto(`${server.url}/pods/demo/data/postgres-0`);
      await expect(page.getByTestId('chart-cpu').getByTestId('usage-line')).toBeVisible({ timeout: 20_000 });
    });
  });
}
