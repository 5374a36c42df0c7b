-- wrk script for deploy/load.sh: plain GETs of the target URL, as without a
-- script, plus one "QRF key=value ..." line in done() for load.sh to read.
function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "QRF rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d http_errors=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
