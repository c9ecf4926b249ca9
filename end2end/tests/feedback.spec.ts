// A resident sends an on-site report with a photo from a phone, follows it through the private
// link; the ward's officer receives, answers and publishes it; the answer appears on the public
// page without the resident's contact details; the resident rates it. With and without
// JavaScript.
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

// An 8 × 8 PNG, as a phone's camera roll would hand over a (much larger) picture.
const PHOTO = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAbElEQVR4nBXNQRUAUQhCUZOYhCQmeUlIQhISzR+XXA7ODDtouIHBQ4YOM8suWm5h8ZKl+0CskDiBsIioHhx76LiDw0eO3oN/4FVf+J8h0PduzBqZ8x/bxNQPwgaFy192SGgelC0q13/CJaXlA+odUoHdRJQGAAAAAElFTkSuQmCC",
  "base64",
);

test("a resident's report is answered, published and rated", async ({ page }) => {
  const stamp = Date.now();
  const description = `Ổ gà sâu trước số 12 đường Trần Hưng Đạo (${stamp}).`;
  const answerText = `Phường đã vá mặt đường ngày hôm nay (${stamp}).`;

  await page.goto("/gop-y");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Gửi phản ánh, kiến nghị");
  // Sending without anything: every problem is listed, nothing is lost.
  await page.getByRole("button", { name: "Gửi phản ánh" }).click();
  await expect(page.getByRole("alert")).toContainText("Xin chọn loại phản ánh");

  await page.getByLabel(/^Phản ánh hiện trường/).check();
  await page.getByLabel("Lĩnh vực").selectOption("ha-tang-giao-thong");
  await page.getByLabel("Cơ quan nhận phản ánh").selectOption("QN.HL");
  await page.getByLabel("Nội dung phản ánh").fill(description);
  await page.getByLabel("Địa chỉ hoặc mô tả nơi xảy ra").fill("Trước số 12 Trần Hưng Đạo, phường Hạ Long");
  await page.getByLabel("Ảnh (tối đa 3 ảnh)").setInputFiles({ name: "o-ga.png", mimeType: "image/png", buffer: PHOTO });
  await page.getByLabel("Thư điện tử", { exact: true }).fill("nguoi.dan@example.vn");
  await page.getByLabel(/^Tôi đồng ý/).check();
  await page.getByRole("button", { name: "Gửi phản ánh" }).click();

  await expect(page).toHaveURL(/\/gop-y\/da-gui\/PAKN\.\d{8}\.\d{4}\?k=[0-9a-f]{32}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đã gửi phản ánh");
  const code = (await page.locator("p.tracking-code").innerText()).trim();
  await page.getByRole("link", { name: "Xem tiến độ xử lý" }).click();
  const privateLink = page.url();
  await expect(page.getByText("Chờ tiếp nhận")).toBeVisible();
  await expect(page.getByRole("img", { name: "Ảnh kèm phản ánh" })).toBeVisible();

  // The ward's officer handles it.
  await signIn(page, "halong.canbo", `/pakn/${code}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(code);
  await expect(page.getByText("nguoi.dan@example.vn")).toBeVisible();
  // Each action has its own form and button; the next sensible step is the one open.
  const act = async (action: string, note = "") => {
    const form = page.locator("details.action-form").filter({ has: page.getByText(action, { exact: true }) });
    await expect(form).toHaveAttribute("open", "");
    if (note) await form.getByLabel("Nội dung gửi người dân").fill(note);
    await form.locator(`button[type="submit"]`).click();
    await expect(page.getByRole("status")).toHaveText("Đã lưu thay đổi.");
  };
  await act("Tiếp nhận");
  await act("Trả lời", answerText);
  await act("Công khai trả lời");

  await page.goto("/cong-khai");
  await expect(page.getByText(answerText)).toBeVisible();
  await expect(page.getByText(description)).toBeVisible();
  await expect(page.getByText("nguoi.dan@example.vn")).toHaveCount(0);

  // Back on the private link: the answer, and the rating.
  await page.goto(privateLink);
  await expect(page.getByText(answerText)).toBeVisible();
  await page.getByRole("button", { name: "Hài lòng", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText("Đã ghi nhận. Cảm ơn ông/bà.");
  await expect(page.getByText("Đã đánh giá")).toBeVisible();
});
