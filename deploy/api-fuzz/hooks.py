"""Schemathesis hooks for deploy/api-fuzz.sh.

`problem_json_errors`: every 4xx and 5xx of the JSON API is
`application/problem+json` with the problem fields (DESIGN, "Errors").

`map_path_parameters`: half of the generated numeric ids (the even ones)
become ids of seeded rows (API_FUZZ_IDS), and region codes a seeded region
(API_FUZZ_REGIONS), so cases reach real rows and not only 404s.
"""

import json
import os

import schemathesis

SEEDED_IDS = [int(v) for v in os.environ.get("API_FUZZ_IDS", "").split(",") if v.strip()]
SEEDED_REGIONS = [v for v in os.environ.get("API_FUZZ_REGIONS", "").split(",") if v.strip()]


@schemathesis.check
def problem_json_errors(ctx, response, case):
    """Every error answer is application/problem+json with type, title and status."""
    if response.status_code < 400:
        return None
    content_type = ";".join(response.headers.get("content-type", [""])).split(";")[0].strip()
    if content_type != "application/problem+json":
        raise AssertionError(
            f"{response.status_code} answered with Content-Type {content_type or 'none'!r}, "
            "not application/problem+json"
        )
    try:
        problem = json.loads(response.content)
    except ValueError as err:
        raise AssertionError(f"the problem body is not JSON: {err}") from None
    missing = [key for key in ("type", "title", "status") if key not in problem]
    if missing:
        raise AssertionError(f"the problem lacks {', '.join(missing)}")
    if problem["status"] != response.status_code:
        raise AssertionError(f"problem status {problem['status']} != HTTP status {response.status_code}")
    return None


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    if not path_parameters:
        return path_parameters
    value = path_parameters.get("id")
    if SEEDED_IDS and isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
        path_parameters["id"] = SEEDED_IDS[(value // 2) % len(SEEDED_IDS)]
    code = path_parameters.get("code")
    if SEEDED_REGIONS and isinstance(code, str) and len(code) % 2 == 0:
        path_parameters["code"] = SEEDED_REGIONS[len(code) // 2 % len(SEEDED_REGIONS)]
    return path_parameters
