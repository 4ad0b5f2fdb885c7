#!/usr/bin/env python3
"""Writes the compiler fuzzer's seed corpus (tests/fuzz/corpus/compiler/) from
the bundled kernels: every test_kernels/*.cu and every lit test input, with
comments, blank lines and includes of local headers removed (a mutation spent
inside a comment finds nothing; the fuzzer parses each input alone). Re-run it when test_kernels/ changes, and commit the result."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fuzz/corpus/compiler"
SOURCES = [("", sorted((ROOT / "test_kernels").glob("*.cu"))),
           ("lit-", sorted((ROOT / "tests/compiler/lit").glob("*.cu")))]

# A string literal, a // comment or a /* */ comment; strings are kept as they are.
TOKEN = re.compile(r'"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/', re.S)
LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*"')


def seed_text(text: str) -> str:
    text = TOKEN.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line.strip() and not LOCAL_INCLUDE.match(line)) + "\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for prefix, files in SOURCES:
        for source in files:
            # No ".cu": libFuzzer seeds are data, named for where they came from.
            (OUT / (prefix + source.stem)).write_text(seed_text(source.read_text()))


if __name__ == "__main__":
    main()
