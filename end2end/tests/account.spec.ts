import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BosunServer, signIn, ADMIN_PASSWORD } from './server';

// A person's own account, on a phone: make a read-only API token (its secret shown once),
// see a script use it to read and be refused a change, revoke it; change the password and
// sign in with the new one; "sign out everywhere" ends this session too.

const server = new BosunServer(3961);
test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
test.beforeAll(async () => server.start());
test.afterAll(async () => server.stop());

const NEW_PASSWORD = 'a much longer new password';

/** A script's request with a bearer token (no browser cookies). */
async function withToken(token: string, method: string, path: string) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : JSON.stringify({ label: 'from a script' }),
  });
  return { status: res.status, body: await res.json() };
}

test('tokens made and revoked, the password changed, every session ended', async ({ page }) => {
  await signIn(page, server);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId('who').click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('account-who')).toContainText('admin (admin)');

  // A read token: shown once, listed without its secret.
  await page.getByLabel('Label').fill('dashboards');
  await page.getByLabel('Expires in (days)').fill('30');
  await page.getByRole('button', { name: 'Create token' }).click();
  const issued = page.getByTestId('issued-token');
  await expect(issued).toContainText('read scope');
  const token = (await issued.locator('code').textContent())!.trim();
  expect(token).toMatch(/^bosun_[0-9a-f]{64}$/);
  const row = page.getByTestId('tokens-table').locator('tr', { hasText: 'dashboards' });
  await expect(row).toContainText('active');
  await expect(page.getByTestId('tokens-table')).not.toContainText(token);

  // A script reads with it, as a viewer, and cannot change anything.
  const me = await withToken(token, 'GET', '/api/v1/me');
  expect(me.status).toBe(200);
  expect(me.body.data.role).toBe('viewer');
  const refused = await withToken(token, 'POST', '/api/v1/me/tokens');
  expect(refused.status).toBe(403);
  expect(refused.body.message).toContain('read-only');

  // Revoked from the page: the script is shut out.
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  expect((await withToken(token, 'GET', '/api/v1/me')).status).toBe(401);

  // A new password; the old one no longer signs in.
  await page.getByLabel('Current password').fill(ADMIN_PASSWORD);
  await page.getByLabel('New password (12 characters or more)').fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed')).toBeVisible();

  // Sign out everywhere: this session ends too.
  await page.getByTestId('sign-out-everywhere').click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto(`${server.url}/account`);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toContainText('admin');
});

// A first start without BOSUN_ADMIN_PASSWORD: the generated password is only in an
// owner-only file, and signing in with it leads to nothing but the password form.
const fresh = new BosunServer(3962, { BOSUN_ADMIN_PASSWORD: '' });

test('a generated first password must be replaced before anything else', async ({ page }) => {
  await fresh.start();
  try {
    const generated = readFileSync(join(fresh.dataDir, 'first-admin-password'), 'utf8').trim();
    expect(generated).toHaveLength(24);
    expect(fresh.log).not.toContain(generated);
    expect(fresh.log).toContain('first-admin-password');

    await page.goto(`${fresh.url}/login`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(generated);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByTestId('first-password-notice')).toBeVisible();
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await expect(page.getByRole('navigation', { name: 'Sections' })).toHaveCount(0);
    // Typed addresses lead back to the form.
    await page.goto(`${fresh.url}/workloads`);
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

    await page.getByLabel('Current password').fill(generated);
    await page.getByLabel('New password (12 characters or more)').fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    // The console opens: its sections are there and answer.
    await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();
    await page.getByRole('link', { name: 'Clusters' }).click();
    await expect(page).toHaveURL(/\/clusters$/);
    await expect(page.getByRole('heading', { name: 'Clusters', level: 1 })).toBeVisible();
  } finally {
    await fresh.stop();
  }
});
