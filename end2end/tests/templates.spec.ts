import { test, expect, Page } from '@playwright/test';
import { BosunServer, signIn } from './server';

// Templates and tasks, on a desktop and on a phone: write a template with variables, see
// them read from the YAML, check it with a dry run, run it as a task, read the task's
// result per document, and delete what it created.

const viewports = [
  { name: 'desktop', port: 3945, use: { viewport: { width: 1400, height: 900 } } },
  { name: 'phone', port: 3946, use: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true } },
];

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

for (const vp of viewports) {
  test.describe(`templates on ${vp.name}`, () => {
    const server = new BosunServer(vp.port, { BOSUN_NO_DEMO: '0' });
    test.use(vp.use);
    test.beforeAll(async () => server.start());
    test.afterAll(async () => server.stop());

    test('write a template, check it, run it as a task, delete what it created', async ({ page }) => {
      const app = `e2e-${vp.name}`;
      await signIn(page, server);
      await page.goto(`${server.url}/templates`);
      await hydrated(page);
      await page.getByTestId('new-template').click();
      await expect(page.getByRole('heading', { name: 'New template' })).toBeVisible();
      await hydrated(page);
      await page.getByTestId('template-name').fill(`settings ${vp.name}`);
      await page.getByTestId('template-description').fill('a config map per app');
      const editor = page.getByTestId('yaml-editor');
      // An unclosed variable is caught while typing, with its line.
      await editor.fill('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ app\n');
      await expect(page.getByTestId('template-variables')).toContainText('line 4');
      await editor.fill(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ app }}-settings\ndata:\n  level: {{ level | default: "info" }}\n',
      );
      await expect(page.getByTestId('template-variables')).toHaveText('Variables: app, level (default "info")');
      await page.getByTestId('save-template').click();
      await expect(page).toHaveURL(/\/templates\/\d+$/);
      await expect(page.getByTestId('run-panel')).toBeVisible();
      await hydrated(page);

      await page.getByTestId('value-app').fill(app);
      await page.getByTestId('target-cluster').selectOption('demo');
      await page.getByTestId('target-namespace').fill('shop');
      await page.getByTestId('check-template').click();
      const results = page.getByTestId('apply-results');
      await expect(results).toContainText('Dry run');
      await expect(results.locator('li[data-outcome=created]')).toBeVisible();
      await expect(page.getByTestId('yaml')).toContainText(`name: ${app}-settings`);

      await page.getByTestId('run-task').click();
      await expect(page).toHaveURL(/\/tasks\/\d+$/);
      await expect(page.getByTestId('task-state')).toHaveAttribute('data-state', 'succeeded');
      await expect(page.getByTestId('task-target')).toContainText(`ConfigMap shop/${app}-settings`);
      await expect(page.getByTestId('yaml')).toContainText('level: info');

      // The object is there, then deleted again from the task.
      await page.goto(`${server.url}/resources/configmaps?ns=shop&q=${app}`);
      await expect(page.locator(`tr[data-name="${app}-settings"]`)).toBeVisible();
      await page.goBack();
      await hydrated(page);
      await page.getByTestId('cleanup-task').click();
      await page.getByTestId('cleanup-task').click();
      await expect(page.getByTestId('task-cleanup')).toContainText(`${app}-settings`);
      await expect(page.getByTestId('task-cleanup').locator('li.outcome-success')).toHaveCount(1);

      // The history finds it.
      await page.goto(`${server.url}/tasks?q=${app}`);
      await expect(page.getByTestId('tasks-table').locator('tbody tr')).toHaveCount(1);
      await expect(page.getByTestId('tasks-table')).toContainText(`settings ${vp.name}`);
    });
  });
}
