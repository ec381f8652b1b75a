/* bigfont — large letters for the projector screen, from a small built-in
 * table. No curses.
 *
 * Each glyph is BIGFONT_ROWS cells high and 3 to 5 "pixels" wide, one
 * column between glyphs; a pixel is `scale` cells wide (1 or 2), so no
 * stroke is thinner than one cell. A row comes out as text: '#' where the
 * cell is ink, ' ' elsewhere; the screen draws ink as a full block (or
 * '#' where the terminal has no UTF-8). Lower-case letters use the
 * capitals; a character the table lacks shows as '?'. */
#ifndef SOCKLAB_BIGFONT_H
#define SOCKLAB_BIGFONT_H

#include <stdbool.h>
#include <stddef.h>

enum { BIGFONT_ROWS = 5 };

/* Whether the table has a glyph of its own for `c` (either case). */
bool bigfont_has(char c);
/* Columns `text` takes at `scale` (ASCII bytes; others count as '?'). */
int bigfont_width(const char *text, int scale);
/* Row `row` (0 .. BIGFONT_ROWS-1) of `text` at `scale` into `out`: '#' and
 * ' ', NUL-terminated, cut at size-1 bytes. Returns the columns written. */
int bigfont_row(const char *text, int scale, int row, char *out, size_t size);

#endif
