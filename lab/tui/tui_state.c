/* tui_state — the small services every screen asks of the frontend's state:
 * the clock, the message line, saving the progress. */
#include "tui_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "i18n.h"

uint64_t tui_now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

void tui_message(struct tui *tui, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(tui->message, sizeof tui->message, format, args);
	va_end(args);
}

int tui_save_progress(struct tui *tui)
{
	if (!tui->progress || !tui->progress_dirty)
		return 0;
	char *warning = NULL, *err = NULL;
	int result = progress_save(tui->progress, &warning, &err);
	if (result < 0)
		tui_message(tui, _("progress not saved: %s"), err ? err : _("out of memory"));
	else if (warning)
		tui_message(tui, "%s", warning);
	else
		tui->progress_dirty = false;
	free(warning);
	free(err);
	return result;
}
