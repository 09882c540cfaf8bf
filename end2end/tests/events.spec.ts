import { test, expect } from '@playwright/test';
import { BosunServer, signIn } from './server';

// The Events page on a desktop and a phone: from a namespace's page to its events,
// warnings first, then only warnings with the filter.

const viewports = [
  { name: 'desktop', port: 3947, use: { viewport: { width: 1400, height: 900 } } },
  { name: 'phone', port: 3948, use: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true } },
];

for (const vp of viewports) {
  test.describe(`events on ${vp.name}`, () => {
    const server = new BosunServer(vp.port, { BOSUN_NO_DEMO: '0' });
    test.use(vp.use);
    test.beforeAll(async () => server.start());
    test.afterAll(async () => server.stop());

    test('a namespace\'s events, warnings first, then only warnings', async ({ page }) => {
      await signIn(page, server);
      await page.goto(`${server.url}/resources/namespaces/demo/_/payments`);
      await page.getByTestId('namespace-events').click();
      await expect(page).toHaveURL(/\/events\?cluster=demo&ns=payments/);
      const rows = page.getByTestId('events-table').locator('tbody tr');
      await expect(rows.first()).toBeVisible();
      await expect(rows.first()).toHaveAttribute('data-type', 'Warning');
      await expect(page.getByTestId('events-table')).toContainText('demo / payments');

      await page.getByTestId('event-filters').locator('select[name=type]').selectOption('Normal');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect(page).toHaveURL(/type=Normal/);
      await expect(rows.first()).toHaveAttribute('data-type', 'Normal');
      await expect(page.locator('tr[data-type=Warning]')).toHaveCount(0);
    });
  });
}
