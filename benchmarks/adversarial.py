"""The adversarial corpus (issue 14) for longer: every area of tests/adversarial, tried / held / failed.

Run: .venv/bin/python benchmarks/adversarial.py [--seconds 60] [--only AREA[,AREA]] [--seed 0] [--json]

Each area generates hostile or broken input (redirects, files, queries, …) and feeds it to the real
code for at most --seconds; "held" means the design's promise was kept (a clear refusal or a recorded
error, the rest of the work done), "failed" that it was not, with the first failures listed. The
generators use only what a user has, so pointing PYTHONPATH at an older checkout measures it too.
"""

from __future__ import annotations

import argparse
import json
import sys

from _harness import REPO, print_table, publish

sys.path.insert(0, str(REPO / "tests"))

from adversarial import areas, run_area

NAME = "adversarial"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="budget of each area")
    parser.add_argument("--only", help="comma-separated areas (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    names = sorted(areas()) if not args.only else args.only.split(",")
    tallies = [run_area(name, args.seconds, args.seed) for name in names]
    result = {
        "benchmark": NAME,
        "seconds_per_area": args.seconds,
        "seed": args.seed,
        "areas": [t.as_dict() for t in tallies],
    }
    if args.only:  # a part of the corpus: shown, not written over the whole run's figures
        if args.json:
            print(json.dumps(result, ensure_ascii=False, indent=1))
        else:
            report(result)
        return
    publish(NAME, result, as_json=args.json, report=report)


def report(result: dict) -> None:
    rows = [[a["area"], a["tried"], a["held"], a["failed"], a["seconds"]] for a in result["areas"]]
    print_table(["area", "tried", "held", "failed", "s"], rows)
    for area in result["areas"]:
        for line in area["failures"][:10]:
            print(f"  {area['area']}: {line}")


if __name__ == "__main__":
    main()
