/* wrap — breaks lesson prose into screen lines. No curses.
 *
 * Lesson text keeps the line breaks of the lesson file; on screen a single
 * newline is a space and a blank line starts a new paragraph, so the same
 * text fills 80 columns or 200. Columns are display columns, as wcwidth()
 * counts them (a Chinese character takes two; a process whose locale is
 * not UTF-8 still counts the East Asian wide ranges as two). Chinese text
 * breaks between characters as well as at spaces, never before closing
 * punctuation (，。；：？！）」) nor after opening punctuation (（「). */
#ifndef SOCKLAB_WRAP_H
#define SOCKLAB_WRAP_H

#include <stddef.h>

/* One screen line: a slice of the original text. A newline inside the
 * slice stands for a space. */
struct wrap_line {
	const char *start;
	size_t len;       /* bytes */
};

/* Wraps `text` at `width` columns. Fills at most `max_lines` entries of
 * `lines` (which may be NULL when max_lines is 0) and returns how many
 * lines the whole text needs, so a caller can measure first. A paragraph
 * break is an empty line. */
size_t wrap_text(const char *text, int width, struct wrap_line *lines, size_t max_lines);

/* Columns a slice takes on screen. */
int wrap_columns(const char *text, size_t len);

#endif
