/* tui — placeholder until the curses frontend lands. */
#include "tui.h"

#include <stdio.h>

int tui_run(struct lesson *lesson, char **lesson_paths, size_t lesson_count, struct sandbox *sandbox,
	    const struct tui_options *options)
{
	(void)lesson; (void)lesson_paths; (void)lesson_count; (void)sandbox; (void)options;
	fprintf(stderr, "socklab: the curses frontend is not built yet; use --plain\n");
	return 2;
}
