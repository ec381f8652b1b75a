#!/usr/bin/env python3
"""Wraps the C lines wider than 100 columns and leaves the other lines alone.

Usage: tools/wrap_long_lines.py SOURCE_DIR [PATH...]   (tools/wrap-long-lines.sh runs it)

For each file with long lines (tools/long_lines.py measures them), clang-format
(the tree's .clang-format) reformats the statements those lines belong to
(--lines), with the file's own ways where it has some (style_for). What it
cannot be told is done here:

- A comparison with a short right side after a call, `f(a, b) < 0`, stays on
  the line of the call's closing parenthesis: with BreakBeforeBinaryOperators,
  clang-format always breaks before the operator once the call's arguments are
  broken, leaving `< 0)` alone on a line. The comparison is handed to it as a
  subscript of the same width (`f(a, b)[QQ]`), which it never breaks, and put
  back afterwards.
- A string literal split by hand on a long line is joined first, so that
  clang-format splits it once where it fits (a piece ending with \\n stays);
  no piece it splits off is left with a word alone.
- Lines of the statement clang-format only respaced keep their hand spacing
  (aligned comments after code); designated initializers it put one a line
  are packed again.
- Comments still too long are rewrapped: a comment's own line at the last
  space that fits, the words carried into the next line of the same paragraph;
  a comment after code continues on lines aligned under its first word, or
  moves above the statement when it starts far right or follows a control line.

Only whitespace changes (and a string literal split in two, "ab" "cd", which C
and xgettext join again): each file is checked for that before it is written.
"""
import difflib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from long_lines import c_files, width  # noqa: E402

LIMIT = 100
PASSES = 4

# `) < 0`, `) == NULL`, `) != sizeof pair`, `) != (ssize_t)size`: a short right side (at most
# SHORT characters) ending the comparison.
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
OPERAND = (r"(?:\(" + NAME + r"[A-Za-z0-9_ ]*\*?\))?(?:sizeof ?)?"
           r"(?:-?[0-9]+|\(" + NAME + r"[A-Za-z0-9_ ]*\)"
           r"|" + NAME + r"(?:\." + NAME + r"|->" + NAME + r"|\[\w+\])*)")
COMPARISON = re.compile(r"(?<=\))( (?:<|>|<=|>=|==|!=) " + OPERAND + r")"
                        r"(?=\s*(?:\)|;|&&|\|\||,|\?|:))")
SHORT = 32
PLACEHOLDER = re.compile(r"\[QQ+\]")


CODE, COMMENT, LITERAL = "c", "m", "s"


def kinds(text):
    """A list, one entry a character: CODE, COMMENT or LITERAL (a string or character literal)."""
    kind = [CODE] * len(text)
    i = 0
    n = len(text)
    while i < n:
        start = i
        if text.startswith("//", i):
            end = text.find("\n", i)
            i, what = (n if end < 0 else end), COMMENT
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i, what = (n if end < 0 else end + 2), COMMENT
        elif text[i] in "\"'":
            quote = text[i]
            i += 1
            while i < n and text[i] != quote and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
            i, what = i + 1, LITERAL
        else:
            i += 1
            continue
        for k in range(start, min(i, n)):
            kind[k] = what
    return kind


def code_positions(text):
    """A list of booleans: is the character at this index code (not a comment or literal)?"""
    return [k == CODE for k in kinds(text)]


def mask(text, keep=frozenset()):
    """The text with its comparisons hidden (but those whose index is in `keep`), and them."""
    code = code_positions(text)
    originals = []
    seen = [0]

    def hide(match):
        index = seen[0]
        seen[0] += 1
        if not code[match.start()] or index in keep or len(match.group(1)) > SHORT:
            originals.append(None)
            return match.group(0)
        originals.append(match.group(1))
        return "[" + "Q" * (len(match.group(1)) - 2) + "]"

    return COMPARISON.sub(hide, text), originals


def unmask(text, originals):
    """The text with its comparisons back, and the indices of those clang-format moved off
    their parenthesis (the text is None then)."""
    hidden = [index for index, original in enumerate(originals) if original is not None]
    found = list(PLACEHOLDER.finditer(text))
    if len(found) != len(hidden):
        return None, set(hidden)
    pieces = []
    last = 0
    moved = set()
    for match, index in zip(found, hidden):
        original = originals[index]
        if len(match.group(0)) != len(original) or text[match.start() - 1] != ")":
            moved.add(index)
        pieces.append(text[last:match.start()])
        pieces.append(original)
        last = match.end()
    pieces.append(text[last:])
    return (None if moved else "".join(pieces)), moved


def format_kept(path, text, numbers, style):
    """clang-format on the lines, the short comparisons kept on their call's line where it
    can (a comparison it would still move is given to it as it is)."""
    keep = set()
    for _ in range(3):
        masked, originals = mask(text, keep)
        formatted, moved = unmask(clang_format(path, masked, numbers, style), originals)
        if formatted is not None:
            return formatted
        keep |= moved
    return clang_format(path, text, numbers, style)


def squashed(text):
    """The program without whitespace, the `""` of a split string literal and the backslashes
    that end a macro's lines, and the words of the comments without the `*` and `//` that
    start their lines."""
    text = text.replace("\\\n", "\n")  # a macro's lines join with a backslash
    kind = kinds(text)
    program = "".join(char for char, k in zip(text, kind) if k != COMMENT)
    comments = "".join(char if k == COMMENT else " " for char, k in zip(text, kind))
    words = [word for word in comments.split() if word not in ("*", "//")]
    return re.sub(r"\s+", "", program).replace('""', ""), words


def lines_for_clang_format(text):
    """The numbers of the long lines whose program (not a comment after it) is too long."""
    kind = kinds(text)
    numbers = []
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        if width(line) > LIMIT:
            ends = [i for i in range(len(line)) if kind[offset + i] != COMMENT]
            if ends and width(line[:ends[-1] + 1]) > LIMIT:
                numbers.append(number)
        offset += len(line) + 1
    return numbers


RETURN_TYPE_ALONE = re.compile(r"^[A-Za-z_][A-Za-z0-9_ *]*\n[A-Za-z_][A-Za-z0-9_]*\(", re.M)
BODY = re.compile(r"^\{", re.M)


ESCAPE_ALIGNED = re.compile(r"\S {2,}\\$", re.M)
ESCAPE_CLOSE = re.compile(r"\S \\$", re.M)


def style_for(source_dir, text):
    """The .clang-format settings, a list, for clang-format's --style, with what the file does
    its own way: function definitions with their return type on a line of its own (hold.c,
    sandbox.c) keep it there; macros whose lines end with backslashes aligned at the limit
    (tests/test_trace.c) keep them aligned, where lab/ puts one space before them."""
    settings = []
    with open(os.path.join(source_dir, ".clang-format"), encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and not line.lstrip().startswith("#"):
                settings.append(line.strip())
    own = {}
    alone = len(RETURN_TYPE_ALONE.findall(text))
    if alone and alone * 2 >= len(BODY.findall(text)):
        own["AlwaysBreakAfterReturnType"] = "TopLevelDefinitions"
    if len(ESCAPE_ALIGNED.findall(text)) > len(ESCAPE_CLOSE.findall(text)):
        own["AlignEscapedNewlines"] = "Right"
    settings = [s for s in settings if s.split(":")[0] not in own]
    return settings + [f"{key}: {value}" for key, value in own.items()]


def clang_format(path, text, numbers, style):
    args = ["clang-format", "--assume-filename=" + path, "--style={" + ", ".join(style) + "}"]
    args += [f"--lines={n}:{n}" for n in numbers]
    return subprocess.run(args, input=text, capture_output=True, text=True, check=True).stdout


QUOTATION = re.compile(r'"[^"]*"|`[^`]*`')
OPERATOR_WORD = re.compile(r"(?:^|\s)[<>=!+*/&|-]+$")  # `>=` ends no line of a comment


def split_at(line, limit, floor):
    """The index of the last space at which `line` can break to fit `limit`, past `floor`, and
    not inside a quotation of the comment ("..." or `...` opened and closed on the line)."""
    quoted = set()
    for quotation in QUOTATION.finditer(line, floor):
        quoted.update(range(quotation.start(), quotation.end()))
    best = None
    for i, char in enumerate(line):
        if char == " " and i > floor and i not in quoted and width(line[:i].rstrip()) <= limit \
                and not OPERATOR_WORD.search(line[:i]):
            best = i
        elif width(line[:i]) > limit:
            break
    return best


COMMENT_LINE = re.compile(r"^(\s*)(/\*|\*|//)( +)(\S.*)$")
TRAILING = re.compile(r"^(.*?\S)(\s+)(/\*|//)( +)(\S.*)$")


def continues_paragraph(line, prefix):
    """Whether a comment line is more words of the paragraph that starts with `prefix`."""
    if not line.startswith(prefix):
        return False
    rest = line[len(prefix):]
    return bool(rest) and not rest[0].isspace() and not rest.startswith(("-", "*/", "•"))


def in_comment(lines, i):
    """Whether line i starts inside a comment (its first non-blank character is not code)."""
    text = "\n".join(lines[:i + 1])
    blank = len(lines[i]) - len(lines[i].lstrip())
    if blank == len(lines[i]):
        return False
    return kinds(text)[len(text) - len(lines[i]) + blank] == COMMENT


WIDOW = 16  # characters at least on a comment's new last line, its closer included
TRAILING_COLUMN_MAX = 60  # a comment after code that starts further right moves above the code


def comment_prefix(lines, i):
    """(head, prefix): what the comment text of line i follows, and what a new line of it starts
    with; (None, None) when line i has no comment to wrap."""
    line = lines[i]
    if in_comment(lines, i):
        own = COMMENT_LINE.match(line)
        if not own:  # a comment's later line, aligned under its first word
            head = line[:len(line) - len(line.lstrip())]
            return head, head
        indent, opener, gap = own.group(1), own.group(2), own.group(3)
        head = indent + opener + gap
        return head, indent + " * " if opener == "/*" else head
    trailing = TRAILING.match(line)
    if trailing and not code_positions(line)[len(trailing.group(1)) + len(trailing.group(2))]:
        code, spaces, opener, gap = trailing.groups()[:4]
        head = code + spaces + opener + gap
        tabs = re.match(r"^\t*", code).group(0)
        pad = " " * (width(head) - width(tabs))
        if opener == "//":
            pad = pad[:-3] + "// "
        return head, tabs + pad
    return None, None


def move_above(lines, i):
    """Moves the one-line comment after the code of line i to a line of its own above the code,
    if it has one; whether it did."""
    trailing = TRAILING.match(lines[i])
    if not trailing or in_comment(lines, i):
        return False
    code, spaces, opener, gap, text = trailing.groups()
    if code_positions(lines[i])[len(code) + len(spaces)]:
        return False
    if opener == "/*" and not text.endswith("*/"):
        return False
    if opener == "/*" and "*/" in text[:-2]:
        return False
    indent = re.match(r"^\s*", code).group(0)
    if code.lstrip().startswith(("}", "else", "case ", "default:")) \
            or code.rstrip().endswith(("{", ",")):
        return False  # the comment says what a branch or a table row holds: leave it
    before = next((line.strip() for line in reversed(lines[:i]) if line.strip()), "")
    if before and not before.endswith((";", "{", "}", "*/")) and not before.startswith("#"):
        return False  # not a statement's first line: a braceless body, a continuation
    lines[i:i + 1] = [indent + opener + " " + text, code]
    return True


def closer_spacing(line):
    """The line with the spaces before its comment cut to fit, one at least."""
    trailing = TRAILING.match(line)
    code, spaces = trailing.group(1), trailing.group(2)
    rest = line[len(code) + len(spaces):]
    if "\t" in spaces or width(code + " " + rest) > LIMIT:
        return line
    return code + " " * (LIMIT - width(code + rest)) + rest


CONTROL = re.compile(r"^\s*(?:if|for|while|else|switch|return|do)\b")


def move_above_first(line, head):
    """Whether the comment after the code of a line goes above it rather than being wrapped
    under itself: when it starts far right, or follows a control statement (a comment after
    a struct's field or an enum's value stays beside it)."""
    return width(head) > TRAILING_COLUMN_MAX or bool(CONTROL.match(line))


def wrap_comments(lines):
    """Rewraps the comment text of the lines still too long, in place."""
    i = 0
    while i < len(lines):
        if width(lines[i]) <= LIMIT:
            i += 1
            continue
        head, prefix = comment_prefix(lines, i)
        if head and not in_comment(lines, i) and move_above_first(lines[i], head) \
                and move_above(lines, i):
            continue  # the moved comment is looked at again on its own line
        at = split_at(lines[i], LIMIT, len(head)) if head else None
        if at is not None and lines[i][at + 1:].strip() == "*/":
            at = split_at(lines[i][:at], LIMIT, len(head))  # not the closer alone
        if at is None:
            if head and not in_comment(lines, i) and move_above(lines, i):
                continue
            if head and not in_comment(lines, i):
                lines[i] = closer_spacing(lines[i])
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        merges = nxt is not None and continues_paragraph(nxt, prefix)
        while not merges and len(lines[i][at + 1:].strip()) < WIDOW:
            earlier = split_at(lines[i][:at], LIMIT, len(head))  # no word alone on the new line
            if earlier is None:
                break
            at = earlier
        first, rest = lines[i][:at].rstrip(), lines[i][at + 1:].lstrip()
        lines[i] = first
        if "*/" not in rest and "*/" not in first and nxt is not None \
                and continues_paragraph(nxt, prefix):
            lines[i + 1] = prefix + rest + " " + nxt[len(prefix):]
        else:
            lines.insert(i + 1, prefix + rest)
        i += 1
    return lines


ESCAPE_AT_END = re.compile(r'\\(?:x[0-9A-Fa-f]*|[0-7]{1,2})"$')


def join_literals(text):
    """The text with the string literals of its long lines joined to the pieces continuing them
    on the line after ("ab "\n"cd" is "ab cd"): clang-format splits a long literal where it
    fits, but would break each piece of one split by hand again. A piece ending with a
    newline, a line of the text, stays as it is."""
    lines = text.split("\n")
    kind = kinds(text)
    starts = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    joined = []
    i = 0
    while i < len(lines):
        line = lines[i]
        while i + 1 < len(lines) and lines[i + 1].lstrip().startswith('"'):
            escape = MACRO_LINE_END.search(line)  # in a macro, the pieces end with `" \`
            core = line[:escape.start()] if escape else line
            nxt = lines[i + 1]
            first_quote = starts[i + 1] + len(nxt) - len(nxt.lstrip())
            last_quote = starts[i] + len(lines[i]) - 1 - (len(line) - len(core))
            ends_literal = core.endswith('"') and kind[last_quote] == LITERAL \
                and kind[first_quote] == LITERAL
            if not ends_literal or ESCAPE_AT_END.search(core) or core.endswith('\\n"') \
                    or (width(line) <= LIMIT and width(nxt) <= LIMIT) \
                    or "#" in line.lstrip()[:1]:
                break
            line = core[:-1] + nxt.lstrip()[1:]
            i += 1
        joined.append(line)
        i += 1
    return "\n".join(joined)


ELEMENT = re.compile(r"^(\s+)(\.[A-Za-z_][A-Za-z0-9_]*(?:\[[^]]*\])? = .*)$")


def balanced(text):
    return all(text.count(a) == text.count(b) for a, b in ("()", "[]", "{}"))


def repack_initializers(lines, new):
    """Puts back on shared lines the designated initializers clang-format gave a line each
    (`{ .a = 1,\n  .b = 2,\n  .c = 3 };`) when it broke a braced list it did not break after
    its brace: filled to the limit at the same column. Only lists whose first line is in `new`
    (the lines clang-format wrote) are touched."""
    i = 0
    while i < len(lines):
        first = lines[i]
        brace = first.rfind("{ .")
        if i not in new or brace < 0 or not first.endswith(",") or "/*" in first or "//" in first:
            i += 1
            continue
        column = width(first[:brace + 2])
        run = []
        k = i + 1
        while k < len(lines):
            element = ELEMENT.match(lines[k])
            if not element or width(element.group(1)) != column or "/*" in lines[k] \
                    or "//" in lines[k]:
                break
            run.append(k)
            if not lines[k].endswith(","):
                break
            k += 1
        if len(run) < 2 or lines[run[-1]].endswith(",") \
                or not all(balanced(lines[r].strip().rstrip(",")) for r in run[:-1]):
            i += 1
            continue
        indent = ELEMENT.match(lines[run[0]]).group(1)
        packed = [first]
        for r in run:
            piece = lines[r].strip()
            if width(packed[-1] + " " + piece) <= LIMIT:
                packed[-1] += " " + piece
            else:
                packed.append(indent + piece)
        lines[i:run[-1] + 1] = packed
        i += len(packed)
    return lines


def new_lines(before, after):
    """The indices of the lines of `after` that are not lines of `before` left as they were."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    fresh = set(range(len(after)))
    for block in matcher.get_matching_blocks():
        fresh -= set(range(block.b, block.b + block.size))
    return fresh


def keep_spacing(lines, original):
    """Puts back the lines clang-format only respaced inside (the same indentation and the
    same text but for spaces: a comment after code aligned with its neighbours by hand), as
    they were, when they fit and no other line of the file reads the same."""
    def key(line):
        return line[:len(line) - len(line.lstrip())], re.sub(r"\s+", "", line)

    counts = {}
    for line in original:
        counts[key(line)] = counts.get(key(line), 0) + 1
    before = {key(line): line for line in original
              if width(line) <= LIMIT and counts[key(line)] == 1}
    fresh = new_lines(original, lines)
    return [before.get(key(line), line) if i in fresh else line for i, line in enumerate(lines)]


STRING_WIDOW = 8  # characters at least in the last piece of a string literal clang-format split
PIECE_END = re.compile(r'^(.*"(?:[^"\\]|\\.)*?) ([^ "\\]+ )"$')
MACRO_LINE_END = re.compile(r"\s+\\$")
WIDOW_PIECE = re.compile(r'^(\s*)"((?:[^"\\]|\\.)*)"')


def fix_string_widows(lines, new):
    """Moves the last word of a split string literal's piece down to the next piece when that
    one is a word alone ("... rq "\n"1\n" becomes "... "\n"rq 1\n")."""
    for i in range(len(lines) - 1):
        if i not in new or i + 1 not in new:
            continue
        while True:
            escape = MACRO_LINE_END.search(lines[i])  # a macro's line: `"... " \`
            first = lines[i][:escape.start()] if escape else lines[i]
            end, widow = PIECE_END.match(first), WIDOW_PIECE.match(lines[i + 1])
            if not end or not widow or len(widow.group(2)) >= STRING_WIDOW:
                break
            moved = widow.group(1) + '"' + end.group(2) + lines[i + 1][len(widow.group(1)) + 1:]
            if width(moved) > LIMIT:
                break
            lines[i] = end.group(1) + ' "' + (escape.group(0) if escape else "")
            lines[i + 1] = moved
    return lines


def wrap_file(source_dir, name):
    path = os.path.join(source_dir, name)
    with open(path, encoding="utf-8") as f:
        original = f.read()
    text = original
    for _ in range(PASSES):
        text = join_literals(text)
        numbers = lines_for_clang_format(text)
        if not numbers:
            break
        formatted = format_kept(path, text, numbers, style_for(source_dir, text))
        if formatted == text:
            break
        text = formatted
    lines = keep_spacing(text.split("\n"), original.split("\n"))
    lines = repack_initializers(lines, new_lines(original.split("\n"), lines))
    lines = fix_string_widows(lines, new_lines(original.split("\n"), lines))
    text = "\n".join(wrap_comments(lines))
    if text == original:
        return False
    if squashed(text) != squashed(original):
        print(f"{name}: more than whitespace would change; left as it was", file=sys.stderr)
        return False
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return True


def main(argv):
    if not argv:
        sys.exit(__doc__)
    source_dir = argv[0]
    changed = 0
    for name in c_files(source_dir, argv[1:] or ["lab", "tests"]):
        changed += wrap_file(source_dir, name)
    print(f"{changed} files wrapped", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
