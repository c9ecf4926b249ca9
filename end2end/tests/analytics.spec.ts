// Analytics pages, which need no JavaScript: the trend and ranking of a unit, the public
// scoreboard, an export from request to download, and the quarterly report printed on A4.
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("the public scoreboard goes down the tree, with ranks and trends", async ({ page }) => {
  await page.goto("/bang-xep-hang");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bảng xếp hạng sự hài lòng");
  await page.getByRole("link", { name: "Tỉnh Quảng Ninh", exact: true }).click();
  await expect(page).toHaveURL(/\/bang-xep-hang\/QN$/);
  const table = page.locator("table.scoreboard");
  await expect(table.getByRole("columnheader", { name: "Hạng" })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "Bốn quý gần nhất" })).toBeVisible();
  expect(await table.locator("tbody tr").count()).toBeGreaterThan(3);
  await expect(page.getByText("Xem chi tiết chỉ số")).toBeVisible();
});

test("a unit's trend changes step and shows its targets", async ({ page }) => {
  await page.goto("/dashboard/QN");
  const chart = page.getByRole("img", { name: /Diễn biến chỉ số/ });
  await expect(chart).toBeVisible();
  await expect(page.locator("p.targets")).toContainText("Mục tiêu 95,0%");
  await page.getByLabel("Chia theo").selectOption("quarter");
  await page.getByRole("button", { name: "Xem" }).click();
  await expect(page).toHaveURL(/step=quarter/);
  await expect(page.getByRole("heading", { name: /Diễn biến chỉ số \(theo quý\)/ })).toBeVisible();
  // The table behind the chart, for screen readers and copying.
  await page.getByText("Bảng số liệu theo kỳ").click();
  await expect(page.getByRole("rowheader", { name: /^\d{4}-Q[1-4]$/ }).first()).toBeVisible();
});

test("an administrator exports indices and downloads the file", async ({ page }) => {
  await signIn(page, "qn.quantri", "/dashboard/QN");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tỉnh Quảng Ninh");
  await expect(page.getByRole("heading", { name: "Phiếu theo ngày trong tuần và giờ" })).toBeVisible();
  await page.getByLabel("Chỉ số theo đơn vị và kỳ").check();
  await page.getByLabel("CSV").check();
  await page.getByRole("button", { name: "Tạo tệp" }).click();
  await expect(page).toHaveURL(/\/xuat\/\d+$/);
  // The page reloads itself until the file is ready.
  await expect(page.getByRole("link", { name: /Tải tệp về/ })).toBeVisible({ timeout: 20_000 });
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: /Tải tệp về/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^ydan-QN-indices-.*\.csv$/);
});

test("the quarterly report prints on A4 pages", async ({ page, browserName }) => {
  test.skip(browserName !== "chromium", "PDF printing is Chromium's");
  await signIn(page, "qn.quantri", "/bao-cao/QN");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Báo cáo quý");
  await expect(page.getByRole("heading", { name: /Thông tư 01\/2018/ })).toBeVisible();
  await page.emulateMedia({ media: "print" });
  await expect(page.locator("header.site")).toBeHidden();
  await expect(page.locator("form.filters")).toBeHidden();
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  expect(pages).toBeGreaterThan(0);
  expect(pages).toBeLessThanOrEqual(8);
  // A4 portrait: 595 × 842 points (Chromium writes 594.96 × 841.92).
  const boxes = pdf.toString("latin1").match(/\/MediaBox\s*\[[^\]]*\]/g) || [];
  expect(boxes.length).toBe(pages);
  for (const box of boxes) expect(box).toMatch(/\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]/);
  await page.emulateMedia({ media: "screen" });
});
