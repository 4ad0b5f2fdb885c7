#!/usr/bin/env python3
"""Validates miriamc manifests against docs/manifest.schema.json."""
import argparse
import json
import sys

import jsonschema


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schema", required=True)
    parser.add_argument("manifests", nargs="+")
    args = parser.parse_args()
    with open(args.schema) as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(schema)
    failed = False
    for path in args.manifests:
        with open(path) as f:
            manifest = json.load(f)
        for error in validator.iter_errors(manifest):
            failed = True
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: {where}: {error.message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
