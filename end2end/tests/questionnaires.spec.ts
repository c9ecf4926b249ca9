// An administrator makes a unit's own version of the hospital template, edits a question,
// publishes it and gives it to a counter; a citizen then answers it, single choice and short
// text included. Runs with and without JavaScript.
import { expect, test } from "@playwright/test";
import { answer, counters, ready, signIn } from "./helpers";

test("a unit's own hospital questionnaire reaches the citizen at its counter", async ({ page, request, javaScriptEnabled }) => {
  const all = await counters(request);
  const counter = all[all.length - 1];
  await signIn(page, "qn.quantri", "/quan-tri/bang-hoi");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bảng hỏi");

  const template = page.getByRole("row").filter({ has: page.getByText("hospital-outpatient", { exact: true }) });
  await template.locator("summary").click();
  await template.getByLabel("Bản mới cho đơn vị").selectOption(counter.agency);
  await template.getByRole("button", { name: "Tạo bản mới" }).click();

  // The new draft opens, ready to edit.
  await expect(page).toHaveURL(/\/quan-tri\/bang-hoi\/\d+\?ok=1$/);
  const id = page.url().match(/bang-hoi\/(\d+)/)![1];
  await expect(page.getByRole("heading", { level: 1 })).toContainText("bệnh viện công");
  const question = `Biển chỉ dẫn trong bệnh viện dễ tìm ${Date.now()}`;
  await page.locator('input[name="vi.BV.A1"]').fill(question);
  await page.getByRole("form", { name: "Sửa bản nháp" }).getByRole("button", { name: "Lưu" }).click();
  await expect(page.getByRole("status")).toHaveText("Đã lưu thay đổi.");
  await page.getByRole("button", { name: "Công bố bảng hỏi" }).click();
  await expect(page.getByText("đã công bố nên không sửa được")).toBeVisible();

  await page.goto("/quan-tri/quay");
  const row = page.getByRole("row").filter({ has: page.getByText(counter.code, { exact: true }) });
  await row.locator("summary").filter({ hasText: "Bảng hỏi" }).click();
  await row.getByLabel("Bảng hỏi").selectOption(id);
  await row.getByRole("button", { name: "Lưu" }).first().click();
  await expect(page.getByRole("status")).toHaveText("Đã lưu thay đổi.");

  await page.goto(`/s/${counter.code}`);
  await ready(page, javaScriptEnabled);
  await expect(page.getByText(question)).toBeVisible();
  await answer(page, "A1", "Rất hài lòng");
  await answer(page, "E1", "Hài lòng");
  await answer(page, "F1", "Có bảo hiểm y tế");
  await page.getByLabel(/^F2 /).fill("Cần thêm ghế chờ.");
  await page.getByRole("button", { name: "Gửi đánh giá" }).click();
  await expect(page).toHaveURL(new RegExp(`/s/${counter.code}/cam-on$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cảm ơn ông/bà!");
});
