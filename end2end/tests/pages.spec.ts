// Dashboards and posters, which need no JavaScript at all.
import { expect, test } from "@playwright/test";
import { counters } from "./helpers";

test("the dashboard lists units with index, interval and sample size, and drills down", async ({ page }) => {
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("SIPAS");
  const table = page.getByRole("table");
  await expect(table.getByRole("columnheader", { name: "Khoảng tin cậy 95%" })).toBeVisible();
  await table.getByRole("link", { name: "Tỉnh Quảng Ninh", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tỉnh Quảng Ninh");
  await expect(page.getByRole("img", { name: /Biểu đồ chỉ số/ })).toBeVisible();
  await expect(page.getByRole("rowheader", { name: /II\.A1/ })).toBeVisible();
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
