/* fit — the 80x24 measure of lesson prose, with the TUI's own wrap. */
#include "fit.h"

#include "wrap.h"

size_t fit_say_lines(const char *text)
{
	return text ? wrap_text(text, FIT_SAY_COLUMNS, NULL, 0) : 0;
}

static size_t warn(FILE *out, const char *path, int line, const char *text)
{
	size_t needed = fit_say_lines(text);
	if (needed <= FIT_SAY_ROWS)
		return 0;
	fprintf(out, "%s:%d: the explanation needs %zu lines at 80x24, %d fit\n", path, line,
		needed, FIT_SAY_ROWS);
	return 1;
}

size_t fit_warn_lesson(FILE *out, const struct lesson *lesson)
{
	size_t warnings = warn(out, lesson->path, lesson->intro_line, lesson->intro);
	for (size_t i = 0; i < lesson->step_count; i++)
		warnings += warn(out, lesson->path, lesson->steps[i].line, lesson->steps[i].say)
			+ warn(out, lesson->path, lesson->steps[i].line, lesson->steps[i].then_say);
	return warnings;
}
