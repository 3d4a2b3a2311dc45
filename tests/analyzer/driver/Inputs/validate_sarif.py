#!/usr/bin/env python3
"""Validates a SARIF log: the SARIF 2.1.0 JSON schema, plus the properties
GitHub code scanning relies on (rule ids and indexes that agree, a location
with a relative URI and a line for every result, a fingerprint).

  validate_sarif.py SCHEMA LOG
"""
import json
import sys

import jsonschema


def main():
    schema_path, log_path = sys.argv[1], sys.argv[2]
    with open(schema_path) as f:
        schema = json.load(f)
    with open(log_path) as f:
        log = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    for e in errors:
        print(f"schema: {'/'.join(map(str, e.path))}: {e.message}")
    problems = len(errors)
    assert log["version"] == "2.1.0"
    for run in log["runs"]:
        rules = run["tool"]["driver"]["rules"]
        for rule in rules:
            if not rule.get("shortDescription", {}).get("text"):
                print(f"rule {rule['id']} has no short description")
                problems += 1
        for result in run["results"]:
            if rules[result["ruleIndex"]]["id"] != result["ruleId"]:
                print(f"ruleIndex of {result['ruleId']} points elsewhere")
                problems += 1
            loc = result["locations"][0]["physicalLocation"]
            if loc["artifactLocation"]["uri"].startswith("/"):
                print(f"absolute uri {loc['artifactLocation']['uri']}")
                problems += 1
            if loc["region"]["startLine"] < 1:
                problems += 1
            if not result.get("partialFingerprints"):
                print("result without a fingerprint")
                problems += 1
    print(f"{problems} problem(s), {sum(len(r['results']) for r in log['runs'])} result(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
