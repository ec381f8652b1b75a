/* dispatch — where a key goes (dispatch.c): one ordered list of the places
 * that may take it, from a blanked screen down to the key table and the
 * handlers of the screen on top. */
#ifndef SOCKLAB_TUI_DISPATCH_H
#define SOCKLAB_TUI_DISPATCH_H

#include "keys.h"

/* Hands `key` (as getch() returns it) to the first place that takes it.
 * The loop redraws afterwards. */
void dispatch_key(struct tui *tui, int key);
/* The handler of `action` on the screen on top, or NULL. */
tui_handler dispatch_handler_for(const struct tui *tui, enum tui_action action);

#endif
