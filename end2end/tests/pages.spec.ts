// Dashboards and posters, which need no JavaScript at all.
import { expect, test } from "@playwright/test";
import { counters, signIn } from "./helpers";

test("the dashboard lists units with index, interval and sample size; staff drill down", async ({ page }) => {
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("SIPAS");
  const table = page.getByRole("table");
  await expect(table.getByRole("columnheader", { name: "Khoảng tin cậy 95%" })).toBeVisible();
  await table.getByRole("link", { name: "Tỉnh Quảng Ninh", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tỉnh Quảng Ninh");
  // The public summary: index, interval, n; the breakdown is for staff.
  await expect(page.locator("section.headline")).toContainText("%");
  await expect(page.getByRole("img", { name: /Biểu đồ chỉ số/ })).toHaveCount(0);
  await page.getByRole("link", { name: "Đăng nhập" }).last().click();
  await page.getByLabel("Tên đăng nhập").fill("qn.quantri");
  await page.getByLabel("Mật khẩu").fill("ydan-demo-2026");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tỉnh Quảng Ninh");
  await expect(page.getByRole("img", { name: /Biểu đồ chỉ số/ })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: /II\.A1/ })).toBeVisible();
});

test("an administrator opens a counter and prints its poster", async ({ page }) => {
  await signIn(page, "qn.quantri", "/quan-tri/quay");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Quầy phục vụ");
  const name = `Quầy thử ${Date.now()}`;
  const form = page.getByRole("form", { name: "Thêm quầy" });
  await form.getByLabel("Đơn vị").selectOption("QN.HL.TTPV");
  await form.getByLabel("Tên", { exact: true }).fill(name);
  await form.getByRole("button", { name: "Thêm quầy" }).click();
  await expect(page.getByRole("status")).toHaveText("Đã lưu thay đổi.");
  const row = page.getByRole("row", { name: new RegExp(name) });
  await row.getByRole("link", { name: "Áp phích QR" }).click();
  await expect(page.getByText(name)).toBeVisible();
  await expect(page.locator(".poster-qr svg")).toBeVisible();
  await page.goto("/quan-tri/nhat-ky");
  await expect(page.getByRole("cell", { name: /counter\.create/ }).first()).toBeVisible();
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await expect(page.getByRole("link", { name: "Đăng nhập" })).toBeVisible();
});

test("a poster prints on one A4 page and on one A5 page", async ({ page, request, browserName }) => {
  test.skip(browserName !== "chromium", "PDF printing is Chromium's");
  const [counter] = await counters(request);
  for (const size of ["", "?size=a5"]) {
    await page.goto(`/s/${counter.code}/poster${size}`);
    await expect(page.locator(".poster-qr svg")).toBeVisible();
    await expect(page.getByText(counter.name)).toBeVisible();
    await page.emulateMedia({ media: "print" });
    await expect(page.locator("header.site")).toBeHidden();
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
    expect(pages, `poster${size}`).toBe(1);
    await page.emulateMedia({ media: "screen" });
  }
});
