#!/usr/bin/env python3
"""Lists the C lines wider than the limit, one `file:line: width` a line.

Usage: tools/long_lines.py [--limit N] SOURCE_DIR [PATH...]

PATH (a file or a folder, relative to SOURCE_DIR) defaults to lab and tests;
folders are walked for *.c and *.h. The width is what a terminal shows: a tab
goes to the next multiple of 8, a wide (CJK) character takes two columns, as
clang-format counts them. Exits 1 when a line is listed, 0 otherwise.
"""
import os
import sys
import unicodedata

TAB = 8


def width(line):
    column = 0
    for char in line:
        if char == "\t":
            column += TAB - column % TAB
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            column += 2
        elif not unicodedata.combining(char):
            column += 1
    return column


def c_files(source_dir, paths):
    for path in paths:
        full = os.path.join(source_dir, path)
        if os.path.isfile(full):
            yield path
            continue
        for folder, subfolders, names in os.walk(full):
            subfolders.sort()
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(folder, name), source_dir)


def main(argv):
    limit = 100
    while argv and argv[0].startswith("--"):
        option = argv.pop(0)
        if option == "--limit":
            limit = int(argv.pop(0))
        else:
            sys.exit("unknown option " + option)
    if not argv:
        sys.exit(__doc__)
    source_dir = argv[0]
    found = False
    for name in c_files(source_dir, argv[1:] or ["lab", "tests"]):
        with open(os.path.join(source_dir, name), encoding="utf-8") as text:
            for number, line in enumerate(text, 1):
                line = line.rstrip("\n")
                columns = width(line)
                if columns <= limit:
                    continue
                print(f"{name}:{number}: {columns}")
                found = True
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
