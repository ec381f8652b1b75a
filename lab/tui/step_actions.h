/* step_actions — socklab step on the lesson screen (step_actions.c): the
 * programs' held calls run one key at a time. */
#ifndef SOCKLAB_TUI_STEP_ACTIONS_H
#define SOCKLAB_TUI_STEP_ACTIONS_H

#include "keys.h"

/* Starts the programs of tui->step_commands under the tracer (stepper.h)
 * and shows them as a lesson with no steps ahead. Returns 0, or -1 with *err. */
int step_actions_open(struct tui *tui, char **err);
/* The programs sent news (tui->stepper's fds were readable): take it. */
void step_actions_on_news(struct tui *tui);
/* Stepping's handlers: an action without one here is the lesson screen's. */
extern const tui_handler step_actions_handlers[ACTION_COUNT];

#endif
