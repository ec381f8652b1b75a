/* screen_ladder — the wire as a ladder (sequence) diagram (screen_ladder.c):
 * draws the model that ladder.h builds, and scrolls it. */
#ifndef SOCKLAB_TUI_SCREEN_LADDER_H
#define SOCKLAB_TUI_SCREEN_LADDER_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "ladder.h"

/* Opens or closes the ladder (w). */
void screen_ladder_toggle(struct tui *tui);
/* Rebuilds the ladder for the view; a new position makes it follow. */
void screen_ladder_refresh(struct tui *tui);
void screen_ladder_close(struct tui *tui);
void screen_ladder_draw(struct tui *tui);
/* The ladder's handlers: an action without one here is the lesson screen's. */
extern const tui_handler screen_ladder_handlers[ACTION_COUNT];

#endif
