-- wrk script for deploy/load.sh: POSTs /api/v1/ratings for random venues.
--
--   wrk -t2 -c32 -d20s --latency -s deploy/load/ratings.lua URL -- CODES_FILE RATE_SECONDS RUN_ID
--
-- CODES_FILE holds one venue code per line. Ratings are sent for the first
-- RATE_SECONDS of the run only; after that each connection finishes its
-- current request and stays idle, so no rating is in flight when wrk stops
-- and every rating Postgres holds was answered to this script (the load test
-- compares the two counts exactly). RUN_ID keeps device ids unique across
-- runs, since Redis dedupe state outlives the load database.
--
-- done() prints a summary and one "QRF key=value ..." line for load.sh.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } qrf_timespec;
int clock_gettime(int clock_id, qrf_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("qrf_timespec")

-- Seconds on a monotonic clock, with sub-millisecond resolution.
local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

-- Main state: give every thread an id, remember threads for done().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- Thread state.
local codes = {}
local rate_seconds, run_id
local headers = { ["Content-Type"] = "application/json" }
local started_at, last_answer_at
local serial = 0
-- wrk calls request() once on its first thread before the run, to check
-- the script; that request is never sent, so it is not counted.
local skip_dry_run

sent, answered, acknowledged, statuses = 0, 0, 0, {}
rate_phase_seconds = 0

function init(args)
  local path = args[1] or error("ratings.lua: CODES_FILE argument missing")
  for line in io.lines(path) do
    if line ~= "" then codes[#codes + 1] = line end
  end
  if #codes == 0 then error("ratings.lua: no venue codes in " .. path) end
  rate_seconds = tonumber(args[2] or "") or error("ratings.lua: RATE_SECONDS argument missing")
  run_id = args[3] or tostring(os.time())
  math.randomseed(os.time() * 100 + id)
  skip_dry_run = (id == 1)
end

function delay()
  started_at = started_at or now()
  if now() - started_at < rate_seconds then
    return 0
  end
  return 3600 * 1000 -- rating phase over: stay idle until wrk stops
end

function request()
  serial = serial + 1
  local device_id = string.format("load-%s-t%d-%010d", run_id, id, serial)
  local body = string.format(
    '{"code":"%s","device_id":"%s","overall":%d,' ..
    '"dimensions":{"environment":%d,"skill":%d,"attitude":%d},"tags":["clean"]}',
    codes[math.random(#codes)], device_id, math.random(5),
    math.random(5), math.random(5), math.random(5))
  if skip_dry_run then
    skip_dry_run = false
  else
    sent = sent + 1
  end
  return wrk.format("POST", "/api/v1/ratings", headers, body)
end

function response(status, _, _)
  answered = answered + 1
  last_answer_at = now()
  rate_phase_seconds = last_answer_at - started_at
  if status == 201 then
    acknowledged = acknowledged + 1
  else
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

-- Main state again, after the run.
function done(summary, latency, _)
  local sent_total, answered_total, acknowledged_total, rps = 0, 0, 0, 0
  local others, other_total = {}, 0
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
    answered_total = answered_total + thread:get("answered")
    acknowledged_total = acknowledged_total + thread:get("acknowledged")
    local seconds = thread:get("rate_phase_seconds")
    if seconds > 0 then rps = rps + thread:get("answered") / seconds end
    for status, n in pairs(thread:get("statuses")) do
      others[status] = (others[status] or 0) + n
      other_total = other_total + n
    end
  end
  local other_list = {}
  for status, n in pairs(others) do other_list[#other_list + 1] = status .. ":" .. n end
  table.sort(other_list)
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local unanswered = sent_total - answered_total

  io.write(string.format(
    "ratings: %d sent, %d answered (%d x 201, other statuses: %s), %d socket errors, %d unanswered at stop\n",
    sent_total, answered_total, acknowledged_total,
    #other_list > 0 and table.concat(other_list, ",") or "none", socket_errors, unanswered))
  io.write(string.format(
    "QRF rps=%.1f p50_ms=%.2f p99_ms=%.2f sent=%d answered=%d acknowledged=%d other=%d other_statuses=%s socket_errors=%d unanswered=%d\n",
    rps, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    sent_total, answered_total, acknowledged_total, other_total,
    #other_list > 0 and table.concat(other_list, ",") or "none", socket_errors, unanswered))
end
