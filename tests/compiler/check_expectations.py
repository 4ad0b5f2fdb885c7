#!/usr/bin/env python3
"""Checks that every test kernel gets the outcomes its comments state.

Each kernel in test_kernels/*.cu carries, above it, one line per pass:
  // miriam-expect: sliced            or  // miriam-expect: refused(sliced): <reason>
  // miriam-expect-persistent: persistent
                                      or  // miriam-expect-persistent: refused: <reason>
  // miriam-expect-shrunk: shrunk       or  // miriam-expect-shrunk: refused: <reason>
This compares those with the manifests miriamc wrote during the build and
validates each manifest against the JSON Schema.
"""
import argparse
import json
import os
import re
import sys

import jsonschema

# (pattern, variant kind, outcome meaning "a variant was emitted")
EXPECTS = [
    (re.compile(r"//\s*miriam-expect:\s*(sliced|refused\(sliced\))"), "sliced", "sliced"),
    (re.compile(r"//\s*miriam-expect-persistent:\s*(persistent|refused)"), "persistent", "persistent"),
    (re.compile(r"//\s*miriam-expect-shrunk:\s*(shrunk|refused)"), "shrunk", "shrunk"),
]
KERNEL = re.compile(r"void\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?(\w+)\s*\(")


def expectations(path, pattern):
    text = open(path).read()
    found = {}
    for match in pattern.finditer(text):
        kernel = KERNEL.search(text, match.end())
        if not kernel:
            raise SystemExit(f"{path}: no kernel after '{match.group(0)}'")
        found[kernel.group(1)] = match.group(1)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kernels", required=True)
    parser.add_argument("--manifests", required=True)
    parser.add_argument("--schema", required=True)
    args = parser.parse_args()
    validator = jsonschema.Draft7Validator(json.load(open(args.schema)))
    failures, checked = [], 0
    for name in sorted(os.listdir(args.kernels)):
        if not name.endswith(".cu"):
            continue
        stem = name[:-3]
        manifest_path = os.path.join(args.manifests, stem + ".miriam.json")
        manifest = json.load(open(manifest_path))
        for error in validator.iter_errors(manifest):
            failures.append(f"{manifest_path}: schema: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        by_name = {k["name"]: k for k in manifest["kernels"]}
        for pattern, kind, emitted in EXPECTS:
            expected = expectations(os.path.join(args.kernels, name), pattern)
            for kernel in by_name:
                if kernel not in expected:
                    failures.append(f"{name}: kernel '{kernel}' has no {kind} expectation comment")
            for kernel, outcome in expected.items():
                checked += 1
                entry = by_name.get(kernel)
                if entry is None:
                    failures.append(f"{name}: kernel '{kernel}' is missing from {manifest_path}")
                    continue
                offered = any(v["kind"] == kind for v in entry["variants"])
                refused = any(r["kind"] == kind for r in entry["refused"])
                if outcome == emitted and not offered:
                    reason = next((r["reason"] for r in entry["refused"] if r["kind"] == kind), "no variant")
                    failures.append(f"{name}: '{kernel}' expected {kind}, got refused: {reason}")
                if outcome != emitted and (offered or not refused):
                    failures.append(f"{name}: '{kernel}' expected a {kind} refusal, but it was not refused")
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
