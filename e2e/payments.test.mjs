// Getting paid, as staff do it in the desk: set the shipping, confirm, copy the payment link
// for the chat; the (fake) Mollie is paid and reports it; after a refresh the desk shows the
// order paid. Mollie is a local server speaking its documented wire format.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launch, startServer } from "./harness.mjs";

const KEY = "test_e2e_mollie";
const payments = new Map();
let mollie, server, browser, reference;

/** A Mollie Payments API v2 stand-in: create, get. */
function fakeMollie() {
  return http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const reply = (status, json) => {
        response.writeHead(status, { "content-type": "application/hal+json" });
        response.end(JSON.stringify(json));
      };
      if (request.headers.authorization !== `Bearer ${KEY}`) return reply(401, { status: 401, title: "Unauthorized Request" });
      if (request.method === "POST" && request.url === "/v2/payments") {
        const asked = JSON.parse(body);
        const id = `tr_e2e${payments.size + 1}`;
        const payment = { resource: "payment", id, status: "open", amount: asked.amount, description: asked.description,
                          metadata: asked.metadata, redirectUrl: asked.redirectUrl, webhookUrl: asked.webhookUrl,
                          _links: { checkout: { href: `https://www.mollie.com/checkout/select-method/${id}`, type: "text/html" } } };
        payments.set(id, payment);
        return reply(201, payment);
      }
      const match = request.url.match(/^\/v2\/payments\/([A-Za-z0-9_]+)$/);
      if (request.method === "GET" && match && payments.has(match[1])) return reply(200, payments.get(match[1]));
      if (request.method === "DELETE" && match && payments.has(match[1])) {
        payments.get(match[1]).status = "canceled";
        return reply(200, payments.get(match[1]));
      }
      return reply(404, { status: 404, title: "Not Found", detail: "No payment exists with that token." });
    });
  });
}

before(async () => {
  mollie = fakeMollie();
  await new Promise((resolve) => mollie.listen(0, "127.0.0.1", resolve));
  const root = path.resolve(import.meta.dirname, "..");
  const catalog = JSON.parse(readFileSync(path.join(root, "demo", "catalog.json"), "utf8"));
  catalog.shop.payments = ["bank_transfer", "payment_link"];
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "chatout-pay-")), "catalog.json");
  writeFileSync(file, JSON.stringify(catalog));
  server = await startServer({
    CHATOUT_CATALOG: file,
    CHATOUT_PUBLIC_URL: "https://orders.shop.example",
    MOLLIE_API_KEY: KEY,
    MOLLIE_API_BASE: `http://127.0.0.1:${mollie.address().port}/v2`,
    CHATOUT_RATE_LIMIT: "0",
  });
  const order = await fetch(`${server.url}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": "pay-e2e-1" },
    body: JSON.stringify({
      reference: "", currency: "EUR", locale: "en",
      items: [{ sku: "mug-stoneware", name: "Stoneware mug", options: {}, unit_price: 1250, quantity: 2 }],
      subtotal: 2500,
      customer: { name: "Sam Jansen", phone: "+31612345678", email: null },
      delivery: { method: "shipping", address: "Keizersgracht 1, 1015 Amsterdam" },
      payment: "payment_link", note: null, consent: null, page: "https://shop.example/mugs",
    }),
  }).then((r) => r.json());
  reference = order.reference;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
  mollie?.close();
});

test("staff set the shipping, confirm, copy the link; the paid order shows as paid", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(server.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${server.url}/admin`);
  await page.goto(`${server.url}/admin/orders/${reference}`);

  await page.getByText("Set the final total").click();
  await page.getByLabel("Shipping", { exact: true }).fill("4.95");
  await page.getByRole("button", { name: "Save the total" }).click();
  await page.waitForURL(/notice=total-saved/);
  assert.match(await page.locator(".total").textContent(), /€29\.95/);

  await page.getByRole("button", { name: "Mark confirmed" }).click();
  await page.waitForURL(/notice=confirmed/);
  const [id] = [...payments.keys()];
  assert.deepEqual(payments.get(id).amount, { currency: "EUR", value: "29.95" });
  const link = await page.getByLabel("Payment link to send in the chat").inputValue();
  assert.equal(link, `https://www.mollie.com/checkout/select-method/${id}`);
  await page.getByRole("button", { name: "Copy link" }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  await page.getByRole("button", { name: "Copied" }).waitFor();

  // The customer pays; Mollie calls the webhook with the id only.
  payments.get(id).status = "paid";
  const hook = await fetch(`${server.url}/webhooks/mollie`, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `id=${id}`,
  });
  assert.equal(hook.status, 200);
  await page.reload();
  assert.equal((await page.locator("h1 .status").textContent()).trim(), "paid");
  assert.match(await page.locator(".payments").textContent(), /Mollie tr_e2e1: paid/);
  await context.close();
});
