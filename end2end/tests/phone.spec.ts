import { test, expect } from '@playwright/test';
import { BosunServer, ADMIN_PASSWORD } from './server';

const server = new BosunServer(3922);

test.beforeAll(async () => server.start());
test.afterAll(async () => server.stop());

test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });

test('phone: sign-in and shell fit a 375 px screen without sideways scrolling', async ({ page }) => {
  await page.goto(`${server.url}/login`);
  const button = page.getByRole('button', { name: 'Sign in' });
  const box = await button.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(375);
  expect(box!.height).toBeGreaterThanOrEqual(44);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await button.tap();
  await expect(page.getByTestId('who')).toContainText('admin');

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // Navigation becomes a tab bar above the content instead of a side column.
  const nav = page.getByRole('navigation', { name: 'Sections' });
  const navBox = (await nav.boundingBox())!;
  const mainBox = (await page.locator('main#main').boundingBox())!;
  expect(navBox.width).toBeGreaterThan(300);
  expect(navBox.y + navBox.height).toBeLessThanOrEqual(mainBox.y + 1);
  await nav.getByRole('link', { name: 'Audit' }).tap();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await page.screenshot({ path: 'test-results/phone-shell.png', fullPage: true });
});
