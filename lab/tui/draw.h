/* draw — what every screen draws with (draw.c): roles mapped to attributes,
 * text made safe for the terminal, boxes, the key line. */
#ifndef SOCKLAB_TUI_DRAW_H
#define SOCKLAB_TUI_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keys.h"

/* The smallest terminal the screens are laid out for. */
#define TUI_MIN_WIDTH 80
#define TUI_MIN_HEIGHT 24

/* What a piece of the screen is; each maps to an attribute (and a colour
 * pair where the terminal has colours and NO_COLOR is unset). */
enum tui_role {
	ROLE_NORMAL,
	ROLE_TITLE,      /* the header */
	ROLE_BORDER,
	ROLE_PANE_TITLE,
	ROLE_FOCUSED,    /* the focused pane's title */
	ROLE_CHANGED,    /* what the step on screen changed; always with a '*' too */
	ROLE_LATEST,     /* the call made in the step on screen; always with a '>' too */
	ROLE_BLOCKED,    /* a call asleep in the kernel */
	ROLE_FAILED,     /* a failed expectation */
	ROLE_LABEL,      /* "python", "next" */
	ROLE_NEXT,       /* the next call */
	ROLE_DIM,        /* headings, notes */
	ROLE_SELECTED,   /* the selected socket */
	ROLE_KEY,        /* a key's name on the key line */
	ROLE_COUNT
};

struct tui_style {
	attr_t roles[ROLE_COUNT];
	bool utf8;                /* the locale can show UTF-8; else non-ASCII shows as '?' */
	bool big;                 /* projector mode */
};

/* Picks attributes (and colour pairs when `color`); call after newterm. */
void draw_style_init(struct tui_style *style, bool color, bool big);

/* Draws a slice of text at (y, x), at most `max_columns` wide. Control
 * bytes show as '?', newlines and tabs as spaces: text never reaches the
 * terminal raw. Returns the columns used. */
int draw_text(const struct tui_style *style, int y, int x, const char *text, size_t len,
	      int max_columns, attr_t attr);
/* The same for a C string, cut with "..." when longer than max_columns. */
int draw_string(const struct tui_style *style, int y, int x, const char *text, int max_columns,
		attr_t attr);
/* Columns `text` takes (UTF-8 code points). */
int draw_columns(const char *text);
/* A box in line-drawing characters (ACS: ASCII where the terminal has none);
 * the caller writes a title over its top border. */
void draw_box(int y, int x, int height, int width, attr_t border);
/* "socklab needs at least 80x24; this terminal is WxH", centred. */
void draw_too_small(const struct tui_style *style, int width, int height);
/* The key line: the first key and the label of each of `actions`, while they fit. */
void draw_key_line(const struct tui_style *style, int y, int width, const enum tui_action *actions,
		   size_t count);
/* One "key label" pair of a key line at *x; false (nothing drawn) when it does not fit. */
bool draw_key_label(const struct tui_style *style, int y, int *x, int width, const char *key,
		    const char *label);

#endif
