import { test, expect, Page } from '@playwright/test';
import { BosunServer, signIn } from './server';

// Every page, opened directly (a bookmark, a reload, a link from a chat), must hydrate:
// the browser's build of the page has to match the HTML the server sent, or the page stays
// a dead picture of itself. A mismatch shows as a console error and a missing
// `data-hydrated` mark. Each page is also under its Content-Security-Policy (scripts only
// with the response's nonce): a violation is a console error too, and a blocked bootstrap
// never hydrates. Detail pages are reached through the first link of their list, so
// the test follows whatever the demo cluster holds.

const lists = [
  '/',
  '/clusters',
  '/quick',
  '/workloads',
  '/pods',
  '/rollouts',
  '/vms',
  '/nodes',
  '/resources',
  '/resources/configmaps?ns=shop',
  '/resources/secrets?ns=shop',
  '/resources/namespaces',
  '/resources/services',
  '/resources/persistentvolumeclaims',
  '/resources/rolebindings',
  '/custom',
  '/custom/demo/cert-manager.io/v1/certificates',
  '/apply',
  '/events',
  '/access',
  '/templates',
  '/tasks',
  '/audit',
  '/admin',
  '/account',
];

// A list page and the prefix of the links that open one of its objects.
const details: [string, string][] = [
  ['/workloads', '/workloads/demo/'],
  ['/pods', '/pods/demo/'],
  ['/rollouts', '/rollouts/demo/'],
  ['/vms', '/vms/demo/'],
  ['/nodes', '/nodes/demo/'],
  ['/resources/configmaps?ns=shop', '/resources/configmaps/demo/'],
  ['/resources/services', '/resources/services/demo/'],
  ['/custom/demo/cert-manager.io/v1/certificates', '/custom/demo/cert-manager.io/v1/certificates/'],
];

/** Opens `path` directly and expects it hydrated with no error in the browser console. */
async function opensAndHydrates(page: Page, url: string, path: string) {
  const problems: string[] = [];
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === 'error') problems.push(m.text().split('\n')[0]);
  };
  const onError = (e: Error) => problems.push(e.message);
  page.on('console', onConsole);
  page.on('pageerror', onError);
  await page.goto(`${url}${path}`);
  await expect(page.locator('body'), `${path} hydrates`).toHaveAttribute('data-hydrated', 'true');
  page.off('console', onConsole);
  page.off('pageerror', onError);
  expect(problems, `console errors on ${path}`).toEqual([]);
}

test.describe('every page hydrates when opened directly', () => {
  const server = new BosunServer(3960, { BOSUN_NO_DEMO: '0' });
  test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  test.beforeAll(async () => server.start());
  test.afterAll(async () => server.stop());

  test('list pages', async ({ page }) => {
    await signIn(page, server);
    for (const path of lists) {
      await opensAndHydrates(page, server.url, path);
    }
  });

  test('detail pages', async ({ page }) => {
    await signIn(page, server);
    for (const [list, prefix] of details) {
      await page.goto(`${server.url}${list}`);
      const link = page.locator(`a[href^="${prefix}"]`).first();
      await expect(link, `${list} links to an object`).toBeAttached();
      const href = await link.getAttribute('href');
      await opensAndHydrates(page, server.url, href!);
    }
  });
});
