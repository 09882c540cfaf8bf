import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BosunServer, signIn } from './server';

// The Resources pages, on a desktop and on a phone: edit a ConfigMap's YAML, read the
// diff of a server-side dry run, apply it; reveal a Secret's value (never in the page
// before); create a namespace from the form and a quota in it from YAML, and see the
// quota's usage bar; a YAML error marks its line; a field another manager set (kubectl
// as a pipeline) is a conflict the page names, and taking it over is one more click.

const viewports = [
  { name: 'desktop', port: 3943, use: { viewport: { width: 1400, height: 900 } } },
  { name: 'phone', port: 3944, use: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true } },
];

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

for (const vp of viewports) {
  test.describe(`resources on ${vp.name}`, () => {
    const server = new BosunServer(vp.port, { BOSUN_NO_DEMO: '0' });
    test.use(vp.use);
    test.beforeAll(async () => server.start());
    test.afterAll(async () => server.stop());

    test('edit a ConfigMap: dry-run diff, then apply', async ({ page }) => {
      await signIn(page, server);
      await page.goto(`${server.url}/resources/configmaps?ns=shop`);
      await page.locator('tr[data-name="web-config"] a').click();
      await expect(page.getByRole('heading', { name: 'web-config' })).toBeVisible();
      await hydrated(page);
      await expect(page.getByTestId('section-data')).toContainText('LOG_LEVEL');

      await page.getByTestId('edit-yaml').click();
      const editor = page.getByTestId('yaml-editor');
      const yaml = await editor.inputValue();
      expect(yaml).toContain('LOG_LEVEL: info');
      // A misspelt field is named at its line as it is typed, from the cluster's schema.
      const misspelt = `${yaml.trimEnd()}\nimmutible: true\n`;
      await editor.fill(misspelt);
      const issues = page.getByTestId('yaml-issues');
      await expect(issues).toContainText('unknown field "immutible"; did you mean "immutable"?');
      const line = misspelt.split('\n').indexOf('immutible: true') + 1;
      await expect(issues.locator('li')).toHaveAttribute('data-line', String(line));
      await expect(page.locator('.gutter-line.error')).toHaveText(String(line));
      await editor.fill(yaml.replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
      await expect(issues).toContainText("Fits the cluster's schema.");
      await page.getByTestId('check-yaml').click();
      const results = page.getByTestId('apply-results');
      await expect(results).toContainText('server dry run');
      await expect(results.locator('li[data-outcome=configured]')).toBeVisible();
      await expect(results.getByTestId('diff')).toContainText('LOG_LEVEL: debug');
      await expect(results.getByTestId('diff')).toContainText('LOG_LEVEL: info');

      await page.getByTestId('apply-yaml').click();
      await expect(page.getByTestId('section-data')).toContainText('debug');
      await expect(page.getByTestId('yaml')).toContainText('LOG_LEVEL: debug');
    });

    test('a field a pipeline owns: the conflict is named, then taken over', async ({ page }) => {
      const name = `pipeline-${vp.name}`;
      execFileSync('kubectl', [
        '--kubeconfig', join(server.dataDir, 'demo.kubeconfig'),
        'apply', '--server-side', '--field-manager', 'ci-pipeline', '-f', '-',
      ], {
        input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shop\ndata:\n  colour: red\n`,
        stdio: 'pipe',
      });
      await signIn(page, server);
      await page.goto(`${server.url}/resources/configmaps/demo/shop/${name}`);
      await expect(page.getByRole('heading', { name })).toBeVisible();
      await hydrated(page);
      await page.getByTestId('edit-yaml').click();
      const editor = page.getByTestId('yaml-editor');
      await editor.fill((await editor.inputValue()).replace('colour: red', 'colour: blue'));
      await page.getByTestId('apply-yaml').click();
      const conflicts = page.getByTestId('apply-conflicts');
      await expect(conflicts).toContainText('.data.colour');
      await expect(conflicts).toContainText('ci-pipeline');
      await expect(page.getByTestId('section-data')).toContainText('red');

      await conflicts.getByTestId('force-apply').click();
      await expect(page.getByTestId('section-data')).toContainText('blue');
      await expect(page.getByTestId('yaml')).toContainText('colour: blue');
    });

    test('a Secret value is revealed only on request', async ({ page }) => {
      await signIn(page, server);
      await page.goto(`${server.url}/resources/secrets/demo/shop/api-credentials`);
      await hydrated(page);
      await expect(page.getByTestId('section-data')).toContainText('<hidden: 10 bytes>');
      expect(await page.content()).not.toContain('demo-token');
      await page.getByTestId('reveal').click();
      await expect(page.getByTestId('secret-value')).toHaveText('demo-token');
      await page.getByRole('button', { name: 'Hide' }).click();
      await expect(page.getByTestId('secret-value')).toHaveCount(0);
    });

    test('a namespace from the form, a quota from YAML, and its usage bar', async ({ page }) => {
      const ns = `e2e-${vp.name}`;
      await signIn(page, server);
      await page.goto(`${server.url}/resources/namespaces`);
      await hydrated(page);
      await page.getByTestId('new-namespace').locator('summary').click();
      await page.getByTestId('new-namespace').locator('select').selectOption('demo');
      await page.getByTestId('new-namespace').locator('input[name=name]').fill(ns);
      await page.getByTestId('new-namespace').locator('input[name=labels]').fill('team=e2e');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await expect(page.locator(`tr[data-name="${ns}"]`)).toBeVisible();

      await page.goto(`${server.url}/apply`);
      await hydrated(page);
      await page.getByTestId('apply-cluster').selectOption('demo');
      await page.getByTestId('apply-namespace').fill(ns);
      const editor = page.getByTestId('yaml-editor');
      // A broken document first: nothing is applied and its line is marked.
      await editor.fill('apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\nspec:\n  hard: [unclosed\n');
      await page.getByTestId('apply-yaml').click();
      await expect(page.getByTestId('apply-results')).toContainText('line 6');
      await expect(page.locator('.gutter-line.error')).toHaveText('6');

      await editor.fill('apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\nspec:\n  hard:\n    pods: "10"\n    requests.cpu: "2"\n');
      await page.getByTestId('apply-yaml').click();
      await expect(page.getByTestId('apply-results').locator('li[data-outcome=created]')).toBeVisible();

      await expect(async () => {
        await page.goto(`${server.url}/resources/namespaces/demo/_/${ns}`);
        await expect(page.getByTestId('section-quota-compute')).toBeVisible({ timeout: 2_000 });
      }).toPass({ timeout: 20_000 });
      await expect(page.getByTestId('section-quota-compute').getByTestId('usage-bar').first()).toBeVisible();
      await expect(page.getByTestId('labels')).toContainText('team=e2e');
    });

    test('a namespace with a quota from the form, container limits from the form, and usage bars', async ({ page }) => {
      const ns = `e2e-form-${vp.name}`;
      await signIn(page, server);
      await page.goto(`${server.url}/resources/namespaces`);
      await hydrated(page);
      const form = page.getByTestId('new-namespace');
      await form.locator('summary').click();
      await form.locator('select').selectOption('demo');
      await form.locator('input[name=name]').fill(ns);
      await form.locator('input[name="quota-pods"]').fill('4');
      await form.locator('input[name="quota-requests.cpu"]').fill('2');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await expect(page.locator(`tr[data-name="${ns}"]`)).toBeVisible();

      await expect(async () => {
        await page.goto(`${server.url}/resources/namespaces/demo/_/${ns}`);
        await expect(page.getByTestId('section-quota-compute')).toBeVisible({ timeout: 2_000 });
      }).toPass({ timeout: 20_000 });
      await expect(page.getByTestId('section-quota-compute').getByTestId('usage-bar')).toHaveCount(2);
      await hydrated(page);

      // Container limits from the namespace's form; a typo is named before anything is sent.
      await page.getByTestId('namespace-limits').locator('summary').click();
      const limits = page.getByTestId('limit-range-form');
      await limits.locator('input[name="cpu-default"]').fill('half a core');
      await page.getByTestId('save-limit-range').click();
      await expect(page.locator('.toast')).toContainText('not a quantity');
      await limits.locator('input[name="cpu-default"]').fill('500m');
      await limits.locator('input[name="memory-default"]').fill('256Mi');
      await page.getByTestId('save-limit-range').click();
      await expect(page.getByTestId('toast').last()).toContainText('limitrange/defaults created');
      await expect(page.getByTestId('section-limits-defaults')).toContainText('500m');

      // The quota's own page edits it with the form, filled from what it holds.
      await page.goto(`${server.url}/resources/resourcequotas/demo/${ns}/compute`);
      await hydrated(page);
      await page.getByTestId('edit-with-form').locator('summary').click();
      const quota = page.getByTestId('quota-form');
      await expect(quota.locator('input[name=pods]')).toHaveValue('4');
      await quota.locator('input[name=pods]').fill('8');
      await page.getByTestId('save-quota').click();
      await expect(page.getByTestId('toast').last()).toContainText('resourcequota/compute configured');
      await expect(async () => {
        await page.goto(`${server.url}/resources/resourcequotas/demo/${ns}/compute`);
        await expect(page.getByTestId('section-usage').locator('tr', { hasText: 'pods' })).toContainText('8', { timeout: 2_000 });
      }).toPass({ timeout: 20_000 });
    });

    test('who can: what ci-bot may do in shop', async ({ page }) => {
      await signIn(page, server);
      await page.goto(`${server.url}/resources`);
      await page.getByRole('link', { name: 'Who can…' }).click();
      await expect(page.getByRole('heading', { name: 'Who can' })).toBeVisible();
      const form = page.getByTestId('access-form');
      await form.locator('select[name=cluster]').selectOption('demo');
      await form.locator('input[name=name]').fill('ci-bot');
      await form.locator('input[name=namespace]').fill('shop');
      await page.getByRole('button', { name: 'Look up' }).click();
      await expect(page.getByTestId('access-subject')).toHaveText('User ci-bot in namespace shop');
      await expect(page.getByTestId('grant').filter({ hasText: 'Role deployer' })).toContainText('deployments/scale');
    });
  });
}

test.describe('custom resources', () => {
  const server = new BosunServer(3949, { BOSUN_NO_DEMO: '0' });
  test.beforeAll(async () => server.start());
  test.afterAll(async () => server.stop());

  for (const vp of viewports) {
    test(`a cert-manager Certificate, found by discovery, on ${vp.name}`, async ({ browser }) => {
      const context = await browser.newContext(vp.use);
      const page = await context.newPage();
      await signIn(page, server);
      await page.goto(`${server.url}/resources`);
      await page.getByRole('link', { name: 'Custom resources' }).click();
      const kinds = page.getByTestId('custom-kinds');
      await expect(kinds).toContainText('cert-manager.io');
      await kinds.locator('a[data-kind="certificates.cert-manager.io"]').click();
      const table = page.getByTestId('custom-table');
      await expect(table.locator('th')).toContainText(['Namespace', 'Name', 'Ready', 'Secret', 'Age']);
      await expect(table.locator('tr[data-name]')).toHaveCount(2);
      // Filter by label, then open one.
      await page.getByLabel('Label selector').fill('app=web');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect(table.locator('tr[data-name]')).toHaveCount(1);
      await table.locator('tr[data-name="shop-tls"] a').click();
      await expect(page.getByRole('heading', { name: 'shop-tls' })).toBeVisible();
      await expect(page.getByTestId('custom-conditions')).toContainText('Certificate is up to date');
      await expect(page.getByTestId('custom-events')).toContainText('The certificate has been successfully issued');
      await expect(page.getByTestId('yaml')).toContainText('secretName: shop-tls');
      await context.close();
    });
  }

  test('a Certificate created from YAML, as the cluster\'s discovery serves it', async ({ page }) => {
    await signIn(page, server);
    await page.goto(`${server.url}/apply`);
    await hydrated(page);
    await page.getByTestId('apply-cluster').selectOption('demo');
    await page.getByTestId('yaml-editor').fill(
      'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: e2e-tls\n  namespace: shop\nspec:\n  secretName: e2e-tls\n  dnsNames: ["e2e.shop.example.com"]\n  issuerRef:\n    name: letsencrypt\n    kind: ClusterIssuer\n',
    );
    await page.getByTestId('apply-yaml').click();
    await expect(page.getByTestId('apply-results').locator('li[data-outcome=created]')).toContainText('certificate/e2e-tls created');
    await page.goto(`${server.url}/custom/demo/cert-manager.io/v1/certificates/shop/e2e-tls`);
    await expect(page.getByRole('heading', { name: 'e2e-tls' })).toBeVisible();
    await expect(page.getByTestId('yaml')).toContainText('e2e.shop.example.com');
  });
});
