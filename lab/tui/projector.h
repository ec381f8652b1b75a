/* projector — the lesson screen for a projector, as a model: which rows
 * hold what, in which role, and the large glyphs themselves. No curses:
 * screen_projector.c draws the items and decides nothing.
 *
 *   row 0      the header (the caller's)
 *   rows 1-6   the call of the step and its result: in normal type, then
 *              on one line in large glyphs
 *   panes      the first side on the left, the second pane's side on the
 *              right, boxed; its calls in normal type, then each socket:
 *              who and addresses, its state in large glyphs, its queues
 *   between    each packet of the step: its flags in large glyphs, its
 *              numbers, and a large arrow from the sender's pane
 *   below      other sides in a line each, what the kernel holds, the
 *              explanation (at most 3 lines, the rest on t), failures,
 *              what next does; the caller's rows (the quiz), the key line
 *
 * Every '*' sits right before what changed, and what changed is shown:
 * the state in large glyphs, the queues on the line under it. */
#ifndef SOCKLAB_TUI_PROJECTOR_H
#define SOCKLAB_TUI_PROJECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "view.h"

enum {
	PROJECTOR_AUTO_WIDTH = 160,    /* a terminal this large gets the projector screen unasked */
	PROJECTOR_AUTO_HEIGHT = 45,
	PROJECTOR_MIN_WIDTH = 100,     /* --big below this gets the usual screen */
	PROJECTOR_MIN_HEIGHT = 30,
	PROJECTOR_MAX_ITEMS = 320,
	PROJECTOR_TEXT_MAX = 256,      /* bytes of one item's text */
	PROJECTOR_SAY_ROWS = 3,        /* the explanation; t shows the rest */
};

/* What an item is; screen_projector.c maps each to an attribute. */
enum projector_role {
	PROJECTOR_NORMAL,
	PROJECTOR_BORDER,
	PROJECTOR_PANE_TITLE,
	PROJECTOR_FOCUSED,
	PROJECTOR_CHANGED,   /* always after a '*' (text) or a large '*' (ink) */
	PROJECTOR_LATEST,
	PROJECTOR_BLOCKED,
	PROJECTOR_FAILED,
	PROJECTOR_LABEL,
	PROJECTOR_NEXT,
	PROJECTOR_DIM,
	PROJECTOR_SELECTED,
	PROJECTOR_KEY,
	PROJECTOR_ROLE_COUNT
};

enum projector_kind {
	PROJECTOR_TEXT,   /* normal type at (y, x), at most `width` columns */
	PROJECTOR_INK,    /* a row of large glyphs or of an arrow: '#' is ink, ' ' is left alone */
	PROJECTOR_BOX,    /* a pane's border: (y, x), width x height */
};

struct projector_item {
	enum projector_kind kind;
	enum projector_role role;
	int y, x, width, height;
	char text[PROJECTOR_TEXT_MAX];
};

struct projector_input {
	const struct lesson_view *view;   /* borrowed */
	int width, height;                /* the terminal */
	int right_side;                   /* the side in the right pane */
	int focus_side;                   /* the focused pane's side, -1 none */
	size_t selected;                  /* the selected socket among the focused side's */
	bool utf8;                        /* arrows as → and ←, else -> and <- */
	int bottom_rows;                  /* rows the caller keeps over the key line
	                                     (the quiz panel) */
};

struct projector_layout {
	struct projector_item items[PROJECTOR_MAX_ITEMS];
	size_t count;
	int bottom_y;                     /* the first of the caller's bottom_rows */
	int key_y;                        /* the key line */
	bool full;                        /* some item found no room in `items` */
};

/* Whether a terminal of width x height shows the projector screen
 * (`asked`: --big). */
bool projector_wanted(bool asked, int width, int height);
/* Builds the layout of `input` into `layout` (overwritten). */
void projector_build(struct projector_layout *layout, const struct projector_input *input);

#endif
