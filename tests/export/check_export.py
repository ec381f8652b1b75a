#!/usr/bin/env python3
"""Checks an exported diagram against the trace it shows.

    check_export.py SVG TRACE

The SVG must parse as XML, hold no script and no external reference (it
is self-contained), name only generic font families, and its text must
hold every call of the trace (as written, or the call's name) and every
state a socket of the trace was in. Prints what is missing; exit 1 then.
"""
import json
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
GENERIC_FONTS = {"monospace", "sans-serif", "serif"}


def main(svg_path, trace_path):
    problems = []
    root = ET.parse(svg_path).getroot()
    texts = []
    for element in root.iter():
        tag = element.tag.replace(SVG, "")
        if tag in ("script", "image", "foreignObject", "style"):
            problems.append(f"element <{tag}>: not self-contained")
        for name, value in element.attrib.items():
            if name.endswith("href"):
                problems.append(f"<{tag}> refers to {value}")
            if name == "font-family" and value not in GENERIC_FONTS:
                problems.append(f"font {value!r} is not a generic family")
        if tag == "text":
            texts.append("".join(element.itertext()))
    with open(trace_path, encoding="utf-8") as trace:
        lines = [json.loads(line) for line in trace if line.strip()]
    events = lines[1:]
    if not events:
        problems.append("the trace has no events")
    for event in events:
        call = event.get("text") or event["call"]
        if not any(call in text for text in texts):
            problems.append(f"step {event['step']}: call {call!r} is not in the picture")
    states = {s["state"] for event in events for s in event["sockets"] if s["state"] != "-"}
    for state in sorted(states):
        if not any(f" {state}" in text for text in texts):
            problems.append(f"state {state} is not in the picture")
    for problem in problems:
        print(f"{svg_path}: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
