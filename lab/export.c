/* export — a run to its end, then its diagram to a file. */
#include "export.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diagram.h"
#include "svg.h"
#include "text.h"

enum export_format export_format_for(const char *path)
{
	size_t length = strlen(path);
	if ((length >= 5 && strcmp(path + length - 5, ".html") == 0)
	    || (length >= 4 && strcmp(path + length - 4, ".htm") == 0))
		return EXPORT_HTML;
	return EXPORT_SVG;
}

int export_run(struct session *session, const volatile sig_atomic_t *stop, char **err)
{
	while (!(stop && *stop)) {
		int result = session_step(session, err);
		if (result < 0)
			return -1;
		if (result > 0)
			break;
	}
	return 0;
}

/* Appends `format` to the growing string *text. Returns 0, or -1. */
static int append(char **text, const char *format, ...) __attribute__((format(printf, 2, 3)));

static int append(char **text, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *more = NULL;
	int length = vasprintf(&more, format, args);
	va_end(args);
	if (length < 0)
		return -1;
	size_t old = *text ? strlen(*text) : 0;
	char *grown = realloc(*text, old + (size_t)length + 1);
	if (!grown) {
		free(more);
		return -1;
	}
	memcpy(grown + old, more, (size_t)length + 1);
	free(more);
	*text = grown;
	return 0;
}

static const char *side_name(const struct run_info *info, int side)
{
	return side >= 0 && side < info->side_count ? info->sides[side] : "?";
}

/* Each step's text for the handout: from a lesson, the call and what the
 * lesson says of it; from a trace, the calls and their results. */
static int step_texts(char ***out, size_t step_count, const struct run_info *info,
		      const struct lab_event *events, size_t count, const struct lesson *lesson)
{
	char **texts = calloc(step_count ? step_count : 1, sizeof *texts);
	if (!texts)
		return -1;
	*out = texts;
	for (size_t i = 0; i < count; i++) {
		const struct lab_event *event = &events[i];
		if (event->step < 1 || event->step > step_count)
			continue;
		char **text = &texts[event->step - 1];
		const struct lesson_step *step = lesson && event->step <= lesson->step_count
			? &lesson->steps[event->step - 1]
			: NULL;
		char result[DIAGRAM_TEXT_MAX];
		diagram_result_text(event, result, sizeof result);
		if (step && event->kind != EVENT_WOKE) {
			if (append(text, "%s: %s\n\n%s", side_name(info, event->side),
				   step->call.text ? step->call.text : "",
				   step->say ? step->say : "") < 0)
				return -1;
		} else if (step && event->kind == EVENT_WOKE) {
			if (step->then_say && append(text, "\n\n%s", step->then_say) < 0)
				return -1;
		} else if (append(text, "%s%s: %s  %s", *text ? "\n\n" : "",
				  side_name(info, event->side), event->text ? event->text : "",
				  result) < 0) {
			return -1;
		}
	}
	return 0;
}

static void free_texts(char **texts, size_t count)
{
	for (size_t i = 0; texts && i < count; i++)
		free(texts[i]);
	free(texts);
}

static int write_document(FILE *file, enum export_format format, const struct run_info *info,
			  const struct lab_event *events, size_t count, const struct lesson *lesson,
			  char **err)
{
	struct diagram diagram;
	if (diagram_build(&diagram, info, events, count) < 0)
		return text_error(err, "out of memory");
	char subtitle[300] = "";
	if (info->sandbox[0])
		snprintf(subtitle, sizeof subtitle, "sandbox: %s", info->sandbox);
	struct svg_texts texts = { .subtitle = subtitle[0] ? subtitle : NULL };
	char **steps = NULL;
	int result;
	if (format == EXPORT_HTML) {
		if (step_texts(&steps, diagram.step_count, info, events, count, lesson) < 0) {
			free_texts(steps, diagram.step_count);
			diagram_done(&diagram);
			return text_error(err, "out of memory");
		}
		texts.intro = lesson ? lesson->intro : NULL;
		texts.steps = (const char *const *)steps;
		texts.step_count = diagram.step_count;
		result = svg_write_html(file, &diagram, &texts, err);
	} else {
		result = svg_write(file, &diagram, &texts, err);
	}
	free_texts(steps, diagram.step_count);
	diagram_done(&diagram);
	return result;
}

int export_write(const char *path, enum export_format format, const struct run_info *info,
		 const struct lab_event *events, size_t count, const struct lesson *lesson,
		 char **err)
{
	if (strcmp(path, "-") == 0)
		return write_document(stdout, format, info, events, count, lesson, err);
	char *partial = NULL;
	if (asprintf(&partial, "%s.partial", path) < 0)
		return text_error(err, "out of memory");
	FILE *file = fopen(partial, "w");
	if (!file) {
		text_error(err, "%s: %s", partial, strerror(errno));
		free(partial);
		return -1;
	}
	int result = write_document(file, format, info, events, count, lesson, err);
	if (fclose(file) != 0 && result == 0)
		result = text_error(err, "%s: %s", partial, strerror(errno));
	if (result == 0 && rename(partial, path) < 0)
		result = text_error(err, "%s: %s", path, strerror(errno));
	if (result < 0)
		unlink(partial);
	free(partial);
	return result;
}
