-- wrk script: signed changebalance BETs, each with a new transaction_id, spread over players.
-- Environment (set by wallet_bench.py): BENCH_OPERATOR, BENCH_AUTH (X-Authorization), BENCH_BODY
-- (the signed body, from simulator.wallet_protocol, with {id}, {user_id} and {token} to fill in),
-- BENCH_TOKENS (comma-separated "user_id:token" pairs), BENCH_ID_BASE.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
  table.insert(threads, thread)
end

function init(args)
  players = {}
  for pair in string.gmatch(os.getenv("BENCH_TOKENS"), "([^,]+)") do
    local user_id, token = string.match(pair, "([^:]+):(.+)")
    table.insert(players, {user_id = user_id, token = token})
  end
  -- each wrk thread owns its own range of transaction ids
  next_id = (os.getenv("BENCH_ID_BASE") + 0) + thread_no * 100000000
  requests_sent = 0
  errors = 0
  body_template = os.getenv("BENCH_BODY")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json; charset=utf-8"
  wrk.headers["X-Operator-Id"] = os.getenv("BENCH_OPERATOR")
  wrk.headers["X-Authorization"] = os.getenv("BENCH_AUTH")
end

function request()
  next_id = next_id + 1
  requests_sent = requests_sent + 1
  local p = players[(next_id % #players) + 1]
  local values = {id = string.format("%d", next_id), user_id = p.user_id, token = p.token}
  local body = string.gsub(body_template, "{([%w_]+)}", values)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"status":"OK"', 1, true) then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("unexpected answer: " .. status .. " " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local total_errors = 0
  for _, thread in ipairs(threads) do
    total_errors = total_errors + thread:get("errors")
  end
  io.write(string.format("BENCH requests=%d errors=%d socket_errors=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, total_errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
