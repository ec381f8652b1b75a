/* screen_ladder — the wire as a ladder (sequence) diagram (screen_ladder.c):
 * draws the model that ladder.h builds, and scrolls it. */
#ifndef SOCKLAB_TUI_SCREEN_LADDER_H
#define SOCKLAB_TUI_SCREEN_LADDER_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "ladder.h"

struct ladder_screen {
	bool open;                         /* shown instead of the panes */
	struct ladder model;               /* rebuilt with the view while open */
	size_t top;                        /* first row shown */
	bool follow;                       /* keep the step on screen in sight: set by every step,
	                                      cleared by scrolling */
	size_t built_step;                 /* the position the model was built for */
	int built_half;
};

/* Opens or closes the ladder (w). */
void screen_ladder_toggle(struct tui *tui);
/* Rebuilds the ladder for the view; a new position makes it follow. */
void screen_ladder_refresh(struct tui *tui);
void screen_ladder_close(struct tui *tui);
void screen_ladder_draw(struct tui *tui);
/* The ladder's handlers: an action without one here is the lesson screen's. */
extern const tui_handler screen_ladder_handlers[ACTION_COUNT];

#endif
