-- wrk script: signed changebalance BETs, each with a new transaction_id, spread over players.
-- Environment (set by wallet_bench.py): BENCH_OPERATOR, BENCH_AUTH, BENCH_HASH, BENCH_TS,
-- BENCH_TOKENS (comma-separated "user_id:token" pairs).

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
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json; charset=utf-8"
  wrk.headers["X-Operator-Id"] = os.getenv("BENCH_OPERATOR")
  wrk.headers["X-Authorization"] = os.getenv("BENCH_AUTH")
end

function request()
  next_id = next_id + 1
  requests_sent = requests_sent + 1
  local p = players[(next_id % #players) + 1]
  local body = string.format(
    '{"command":"changebalance","request_timestamp":"%s","hash":"%s","data":{' ..
    '"transaction_type":"BET","amount":0.10,"currency_code":"EUR","transaction_id":%d,' ..
    '"transaction_timestamp":"%s","round_id":%d,"round_finished":true,"game_id":200,' ..
    '"user_id":"%s","token":"%s","context":{"reason":"SPIN","history_id":"h%d"}}}',
    os.getenv("BENCH_TS"), os.getenv("BENCH_HASH"), next_id, os.getenv("BENCH_TS"), next_id,
    p.user_id, p.token, next_id)
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
