import { test, expect, Page } from '@playwright/test';
import { BosunServer, ADMIN_PASSWORD } from './server';

// Quick actions on a phone: pin from a detail page, act from the card, watch the result
// arrive live (the server pushes rollout and operation changes from its watch caches).

const server = new BosunServer(3932, { BOSUN_NO_DEMO: '0' });

test.beforeAll(async () => server.start());
test.afterAll(async () => server.stop());

test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });

async function signIn(page: Page) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await expect(page.getByTestId('who')).toContainText('admin');
}

/** Opens a page once the demo cluster's caches answer for it, hydrated. */
async function open(page: Page, path: string, ready: string) {
  await expect(async () => {
    await page.goto(`${server.url}${path}`);
    await expect(page.locator(ready).first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function pin(page: Page) {
  const button = page.getByTestId('pin').first();
  await expect(button).toHaveAttribute('aria-pressed', 'false');
  await button.tap();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('toast').first()).toContainText('pinned to Quick actions');
}

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('pin a rollout, approve its step from Quick actions and watch the step advance', async ({ page }) => {
  await signIn(page);
  await open(page, '/rollouts/demo/shop/cart-rollout', '[data-testid=steps]');
  await expect(page.getByTestId('current-step-state')).toHaveText('StepPaused', { timeout: 30_000 });
  await pin(page);

  await open(page, '/quick', '[data-testid=quick-card]');
  const card = page.locator('[data-testid=quick-card][data-kind=rollouts][data-name=cart-rollout]');
  await expect(card.getByTestId('card-step')).toHaveText('1/3');
  await noSidewaysScroll(page);
  const approve = card.getByRole('button', { name: 'Approve step 1' });
  const box = (await approve.boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(44);
  await approve.tap();
  const dialog = page.getByTestId('dialog');
  await expect(dialog).toContainText('Approve step 1?');
  await expect(dialog).toContainText('cart-rollout');
  await dialog.getByTestId('dialog-confirm').tap();
  await expect(page.getByTestId('toast').first()).toContainText('step 1 of 3 approved');
  // Pushed, not reloaded: the card moves on by itself.
  await expect(card.getByTestId('card-step')).toHaveText(/^[23]\/3$/, { timeout: 30_000 });
  await expect(card.getByRole('button', { name: 'Approve step 1' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/quick-rollout.png', fullPage: true });
});

test('restart the VM that ignores shutdown and watch the states pass through ForceStopping to Running', async ({ page }) => {
  await signIn(page);
  await open(page, '/vms/demo/vms/vm-hung', '[data-testid=vm-status]');
  await expect(page.getByTestId('vm-status')).toHaveText('Running', { timeout: 30_000 });
  await pin(page);

  await open(page, '/quick', '[data-testid=quick-card][data-kind=virtualmachines]');
  const card = page.locator('[data-testid=quick-card][data-kind=virtualmachines][data-name=vm-hung]');
  await card.getByRole('button', { name: 'Restart', exact: true }).tap();
  const dialog = page.getByTestId('dialog');
  await expect(dialog).toContainText('Restart virtual machine?');
  await expect(dialog.getByTestId('dialog-explanation')).toContainText('force restarted');
  await dialog.getByTestId('stop-wait').fill('3');
  await dialog.getByTestId('dialog-confirm').tap();
  await expect(page.getByTestId('toast').first()).toContainText('graceful restart requested');

  const operation = card.getByTestId('operation');
  await expect(operation.locator('li[data-state=Stopping]')).toBeVisible({ timeout: 15_000 });
  await expect(operation.locator('li[data-state=ForceStopping]')).toBeVisible({ timeout: 30_000 });
  await expect(operation).toHaveAttribute('data-state', 'Running', { timeout: 60_000 });
  await expect(operation.getByTestId('fallback')).toContainText('the guest did not stop within 3 s');
  const states = await operation.locator('li').evaluateAll((items) => items.map((i) => i.getAttribute('data-state')));
  expect(states).toEqual(['Requested', 'Stopping', 'ForceStopping', 'Starting', 'Running']);
  await noSidewaysScroll(page);
  await page.screenshot({ path: 'test-results/quick-vm.png', fullPage: true });
});

test('the console installs on a home screen and opens on Quick actions', async ({ page, request }) => {
  await page.goto(`${server.url}/login`);
  const href = await page.locator('link[rel=manifest]').getAttribute('href');
  expect(href).toBe('/manifest.webmanifest');
  const manifest = await (await request.get(`${server.url}${href}`)).json();
  expect(manifest.start_url).toBe('/quick');
  expect(manifest.display).toBe('standalone');
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toContain('192x192');
  expect(sizes).toContain('512x512');
  for (const icon of manifest.icons) {
    const res = await request.get(`${server.url}${icon.src}`);
    expect(res.status(), icon.src).toBe(200);
    expect(res.headers()['content-type']).toBe(icon.type);
  }
});
