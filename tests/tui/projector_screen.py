#!/usr/bin/env python3
"""projector_screen.py — checks one captured screen of the projector layout.

usage: projector_screen.py SCREEN WIDTH MIN_ROWS BIGFONT_ROWS [STATE...]

SCREEN is `tmux capture-pane -p` output. Checks: no line wider than WIDTH;
at least MIN_ROWS rows hold something; every '*' sits right before a
visible character (it marks a field the screen shows); each STATE shows
in large glyphs (as BIGFONT_ROWS draws them, at scale 1 or 2, ink as
full blocks). Prints each failure; exits 1 on any.
"""
import subprocess
import sys


def big_rows(helper, text, scale):
    out = subprocess.run([helper, str(scale), text], capture_output=True, text=True, check=True).stdout
    return [row.replace("#", "\u2588").rstrip() for row in out.split("\n")[:5]]


def shows_big(lines, rows):
    for i in range(len(lines) - len(rows) + 1):
        start = 0
        while True:
            column = lines[i].find(rows[0], start)
            if column < 0:
                break
            if all(lines[i + k][column:column + len(rows[k])] == rows[k] for k in range(1, len(rows))):
                return True
            start = column + 1
    return False


def main():
    path, width, min_rows, helper = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    states = sys.argv[5:]
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    failures = []
    for number, line in enumerate(lines, 1):
        if len(line) > width:
            failures.append(f"line {number} is {len(line)} columns wide, over {width}")
        for column, char in enumerate(line):
            if char == "*" and (column + 1 >= len(line) or line[column + 1] == " "):
                failures.append(f"line {number} column {column + 1}: a '*' before nothing")
    used = sum(1 for line in lines if line.strip())
    if used < min_rows:
        failures.append(f"{used} rows used, fewer than {min_rows}")
    for state in states:
        if not any(shows_big(lines, big_rows(helper, state, scale)) for scale in (1, 2)):
            failures.append(f"{state} is not in large glyphs")
    for failure in failures:
        print("    FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
