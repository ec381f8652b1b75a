/* screen_projector — the lesson screen for a projector (screen_projector.c):
 * large states, calls and arrows, laid out by projector.h. */
#ifndef SOCKLAB_TUI_SCREEN_PROJECTOR_H
#define SOCKLAB_TUI_SCREEN_PROJECTOR_H

#include <stdbool.h>

struct tui;

/* The projector screen (screen_projector.c, laid out by projector.h): shown
 * instead of the panes with --big or on a terminal of 160x45 and more. */
bool screen_projector_shown(const struct tui *tui);
void screen_projector_draw(struct tui *tui);

#endif
