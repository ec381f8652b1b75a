#!/usr/bin/env python3
"""Lists the loops of includes among the modules of the folders given (exit 1 when it finds one).

Usage: tools/include_loops.py SOURCE_DIR FOLDER...   (FOLDER relative to SOURCE_DIR: lab/tui)

A module is a file and its header (screen_menu.c with screen_menu.h), as a reader meets them; a
header with no file of its own is a module alone. Module A reaches B when one of A's files has
#include "b.h". A loop means no module of it can be read, built or tested without the others:
the shared header that every screen included, and that declared what every screen defined, is
the kind of loop this keeps out. Only includes of files in the same folder count; it reads
text, not the preprocessor's view.
"""
import glob
import os
import re
import sys


def module_of(path):
    return os.path.splitext(os.path.basename(path))[0]


def loops_in(folder):
    reaches = {}
    lines = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.[ch]"))):
        source = module_of(path)
        reaches.setdefault(source, set())
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            match = re.match(r'\s*#\s*include\s+"([^"/]+)"', line)
            if not match or not os.path.exists(os.path.join(folder, match.group(1))):
                continue
            target = module_of(match.group(1))
            if target != source:
                reaches[source].add(target)
                where = f"{path}:{number}: #include \"{match.group(1)}\""
                lines.setdefault((source, target), where)
    # Tarjan's strongly connected components, without recursion.
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for start in sorted(reaches):
        if start in index:
            continue
        work = [(start, iter(sorted(reaches[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            following = next(successors, None)
            if following is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif following not in index:
                index[following] = low[following] = len(index)
                stack.append(following)
                on_stack.add(following)
                work.append((following, iter(sorted(reaches.get(following, ())))))
            elif following in on_stack:
                low[node] = min(low[node], index[following])
    return [(loop, [lines[(a, b)] for a in loop for b in sorted(reaches[a]) if b in loop])
            for loop in found]


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    os.chdir(sys.argv[1])
    found = 0
    for folder in sys.argv[2:]:
        for loop, includes in loops_in(folder):
            found += 1
            print(f"{folder}: a loop of includes among {', '.join(loop)}:")
            for line in includes:
                print(f"  {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
