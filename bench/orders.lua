-- wrk script: POST /api/orders with a fresh Idempotency-Key per request (so every request
-- creates an order), an unlimited-stock line, and a reference the server replaces.
local counter = 0
local prefix = ""

function setup(thread)
  thread:set("id", tostring(math.random(1, 1e9)))
end

function init(args)
  prefix = id .. "-"
end

local body = [[{"reference":"server-picks","currency":"EUR","locale":"en",
"items":[{"sku":"tea-sample","name":"Tea sample","options":{},"unit_price":10,"quantity":1}],
"subtotal":10,"customer":{"name":"Load Test","phone":"+31612345678","email":null},
"delivery":{"method":"pickup","address":null},"payment":"bank_transfer","note":null,
"consent":null,"page":"https://shop.example/"}]]

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/orders",
    {["Content-Type"] = "application/json", ["Idempotency-Key"] = prefix .. counter}, body)
end

local created = 0
local other = 0

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
