#!/usr/bin/env python3
"""Lists the project's own #include "x.h" lines whose file uses nothing x.h declares.

Usage: tools/dead_includes.py [SOURCE_DIR]   (exit 1 when it finds one)

It reads text, not the compiler's view: a header's names are its macros,
struct/enum/union tags and constants, typedef names, functions and extern
objects; a .c file "uses" a header when one of those names appears in it
outside comments. Names made by an X-macro are not seen, so a header used
only through one would be listed: read the file before removing a line.
A file's own header (plain.c's plain.h) is never listed.
"""
import glob
import os
import re
import sys

KEYWORDS = {"if", "while", "for", "return", "sizeof", "defined", "switch", "int", "void", "char", "bool",
            "const", "unsigned", "long", "size_t"}


def strip_comments(text):
    return re.sub(r"//.*", "", re.sub(r"/\*.*?\*/", "", text, flags=re.S))


def declared_names(path):
    text = strip_comments(open(path, encoding="utf-8").read())
    names = set(re.findall(r"#define\s+(\w+)", text))
    names |= set(re.findall(r"\b(?:struct|enum|union)\s+(\w+)\s*[{;]", text))
    names |= set(re.findall(r"\}\s*(\w+)\s*;", text))
    names |= set(re.findall(r"(\w+)\s*\(", text))
    names |= set(re.findall(r"extern\s+[^;]*?(\w+)\s*(?:\[[^\]]*\])?\s*;", text))
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
        names |= set(re.findall(r"^\s*(\w+)", body, flags=re.M))
        names |= set(re.findall(r",\s*(\w+)", body))
    guards = set(re.findall(r"#ifndef\s+(\w+)", text))
    return names - KEYWORDS - guards


def main():
    os.chdir(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    found = 0
    sources = sorted(glob.glob("lab/*.c") + glob.glob("lab/tui/*.c") + glob.glob("tests/*.c"))
    for source in sources:
        text = open(source, encoding="utf-8").read()
        rest = re.sub(r'#include\s+"[^"]+"', "", strip_comments(text))
        for included in re.findall(r'#include\s+"([^"]+)"', text):
            candidates = [os.path.join(os.path.dirname(source), included), os.path.join("lab", included),
                          os.path.join("lab/tui", included)]
            header = next((c for c in candidates if os.path.exists(c)), None)
            if header is None or os.path.basename(header)[:-2] == os.path.basename(source)[:-2]:
                continue
            if not any(re.search(r"\b" + re.escape(name) + r"\b", rest) for name in declared_names(header)):
                print(f"{source}: includes {included} and uses nothing it declares")
                found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
