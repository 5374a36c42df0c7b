-- wrk script for deploy/bench-scores.sh: GETs /api/v1/rankings for a random
-- region (any level) and, half of the time, a random category, the way a
-- regulator's console pages through rankings.
--
--   wrk -t2 -c16 -d20s --latency -s deploy/load/rankings.lua URL -- REGIONS_FILE
--
-- REGIONS_FILE holds one six-digit region code per line.

local regions = {}
local categories = {
  "scenic_area", "hotel", "homestay", "travel_agency", "restaurant", "shop",
  "campsite", "station", "airport", "mall", "service_hall", "police_window", "checkpoint",
}

function init(args)
  for line in io.lines(args[1]) do
    if #line == 6 then regions[#regions + 1] = line end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local path = "/api/v1/rankings?region=" .. regions[math.random(#regions)]
  if math.random() < 0.5 then
    path = path .. "&category=" .. categories[math.random(#categories)]
  end
  if math.random() < 0.2 then
    path = path .. "&page=" .. math.random(1, 5)
  end
  return wrk.format("GET", path)
end

-- The same summary line as every other load script.
dofile("deploy/load/report.lua")
