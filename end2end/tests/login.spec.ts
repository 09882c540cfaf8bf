import { test, expect, Page } from '@playwright/test';
import { BosunServer, ADMIN_PASSWORD } from './server';

const server = new BosunServer(3921);

test.beforeAll(async () => server.start());
test.afterAll(async () => server.stop());

async function signIn(page: Page, username: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits until the wasm module has hydrated the page, so clicks are handled client-side. */
async function hydrated(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached' });
}

test('wrong password shows an error and stays on the sign-in page', async ({ page }) => {
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('wrong user name or password');
  await expect(page).toHaveURL(/\/login$/);
});

test('right password reaches the shell, with user, role and navigation', async ({ page }) => {
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(`${server.url}/`);
  await expect(page.getByTestId('who')).toContainText('admin');
  const nav = page.getByRole('navigation', { name: 'Sections' });
  for (const section of ['Clusters', 'Workloads', 'Rollouts', 'Virtual machines', 'Nodes', 'Audit', 'Admin']) {
    await expect(nav.getByRole('link', { name: section })).toBeVisible();
  }
  // Client-side navigation after hydration: the audit log shows this sign-in.
  await nav.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await expect(page.getByTestId('audit-table')).toContainText('session.login');
});

test('sign out returns to the sign-in page and the console is closed again', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page.getByTestId('who')).toContainText('admin');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${server.url}/admin`);
  await expect(page).toHaveURL(/\/login$/);
});

test('a session survives a server restart', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page.getByTestId('who')).toContainText('admin');
  await server.restart();
  await page.reload();
  await expect(page).toHaveURL(`${server.url}/`);
  await expect(page.getByTestId('who')).toContainText('admin');
});

test('admin creates a user, changes the role and disables them', async ({ page }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await hydrated(page);
  const form = page.getByTestId('create-user');
  await form.getByLabel('User name').fill('olivia');
  await form.getByLabel('Password (12 characters or more)').fill('olivia-password');
  await form.getByLabel('Role').selectOption('operator');
  await form.getByRole('button', { name: 'Create user' }).click();
  const row = page.locator('tr[data-user="olivia"]');
  await expect(row).toContainText('active');
  await expect(row.getByLabel('Role of olivia')).toHaveValue('operator');

  await row.getByLabel('Role of olivia').selectOption('viewer');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('tr[data-user="olivia"]').getByLabel('Role of olivia')).toHaveValue('viewer');

  await page.locator('tr[data-user="olivia"]').getByRole('button', { name: 'Disable' }).click();
  await expect(page.locator('tr[data-user="olivia"]')).toContainText('disabled');

  // Creating the same name again is refused with a message.
  await form.getByLabel('User name').fill('olivia');
  await form.getByLabel('Password (12 characters or more)').fill('olivia-password');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('alert')).toContainText('already exists');
});

test('admin revokes anyone\'s API token and ends a user\'s sessions', async ({ page }) => {
  // Pat signs in from a script and makes a token.
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page.getByTestId('who')).toContainText('admin'); // the session cookie is set
  const made = await page.request.post(`${server.url}/api/v1/users`, {
    data: { username: 'pat', password: 'pat-password-long', role: 'viewer' },
  });
  expect(made.ok(), `${made.status()} ${await made.text()}`).toBeTruthy();
  const login = await fetch(`${server.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'pat', password: 'pat-password-long' }),
  });
  expect(login.status).toBe(200);
  const patCookie = login.headers.get('set-cookie')!.split(';')[0];
  const asPat = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { cookie: patCookie, 'content-type': 'application/json' } });
  const issued = await (await asPat('/api/v1/me/tokens', { method: 'POST', body: JSON.stringify({ label: 'laptop script' }) })).json();
  const token: string = issued.data.token;
  const withToken = () => fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  expect((await withToken()).status).toBe(200);

  // The admin page lists it with its owner, never its secret, and revokes it.
  await page.goto(`${server.url}/admin`);
  await hydrated(page);
  const tokens = page.getByTestId('all-tokens-table');
  const row = tokens.locator('tr', { hasText: 'laptop script' });
  await expect(row).toContainText('pat');
  await expect(tokens).not.toContainText(token);
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  expect((await withToken()).status).toBe(401);

  // Ending pat's sessions signs the script's session out.
  expect((await asPat('/api/v1/me')).status).toBe(200);
  await page.locator('tr[data-user="pat"]').getByRole('button', { name: 'End sessions' }).click();
  await expect.poll(async () => (await asPat('/api/v1/me')).status).toBe(401);
});

test('the sign-in form works without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await expect(page).toHaveURL(`${server.url}/`);
  await expect(page.getByTestId('who')).toContainText('admin');
  await context.close();
});

test('too many failed sign-ins say when to try again', async ({ page }) => {
  await page.goto(`${server.url}/login`);
  await hydrated(page);
  for (let i = 0; i < 6; i++) {
    await page.getByLabel('User name').fill('throttled-user');
    await page.getByLabel('Password').fill(`wrong-${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  }
  await expect(page.getByRole('alert')).toHaveText(/Too many failed sign-ins\. Try again in \d+ seconds\./);
});
