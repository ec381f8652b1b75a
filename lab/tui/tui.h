/* tui — the curses frontend: draws the session model, turns keys into
 * requests to it. The only code that includes curses. */
#ifndef SOCKLAB_TUI_H
#define SOCKLAB_TUI_H

#include <stdbool.h>

#include "lesson.h"
#include "sandbox.h"

struct tui_options {
	bool big;            /* projector mode: the essentials, large spacing */
	bool color;          /* false with NO_COLOR */
};

/* Runs the lesson screen until the student quits. `lessons` lists the
 * available lesson paths for the menu (when lesson is NULL). Returns the
 * process exit code. */
int tui_run(struct lesson *lesson, char **lesson_paths, size_t lesson_count, struct sandbox *sandbox,
	    const struct tui_options *options);

#endif
