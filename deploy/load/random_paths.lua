-- wrk script for deploy/bench-scores.sh: GETs PREFIX .. KEY .. SUFFIX for a
-- random KEY of KEYS_FILE (one per line) on every request, so that each
-- request asks for another venue, as visitors spread over a country do.
--
--   wrk -t2 -c16 -d20s --latency -s deploy/load/random_paths.lua URL -- KEYS_FILE PREFIX [SUFFIX]

local keys = {}
local prefix, suffix

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then keys[#keys + 1] = line end
  end
  prefix = args[2]
  suffix = args[3] or ""
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return wrk.format("GET", prefix .. keys[math.random(#keys)] .. suffix)
end

dofile("deploy/load/report.lua")
