/* fit — does each step's point show whole on an 80x24 screen? No curses.
 *
 * At 80x24 the lesson screen keeps FIT_SAY_ROWS rows of FIT_SAY_COLUMNS
 * columns for the explanation: the panes give way down to that (and mark
 * the sockets they hide), so a step whose text wraps (wrap.h) to at most
 * that many lines is seen whole without `t`. `socklab check` warns about
 * the others; the TUI and the check share these numbers. */
#ifndef SOCKLAB_FIT_H
#define SOCKLAB_FIT_H

#include <stddef.h>
#include <stdio.h>

#include "lesson.h"

enum {
	FIT_SAY_COLUMNS = 78,   /* 80 minus a column each side */
	FIT_SAY_ROWS = 7,       /* 24 minus the header, the key line, the wire, python and next
	                           rows, and two panes of 12 rows (10 inside the box) */
};

/* Lines `text` needs in the explanation area at 80x24. */
size_t fit_say_lines(const char *text);

/* Writes one `file:line: the explanation needs N lines at 80x24, M fit`
 * to `out` for the intro and each step whose text does not fit; returns
 * how many it wrote. */
size_t fit_warn_lesson(FILE *out, const struct lesson *lesson);

#endif
