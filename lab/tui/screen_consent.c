/* screen_consent — before a lesson not shipped with socklab starts its
 * programs: the commands as they would run, and y/N. Nothing starts until
 * y: no session, no program (consent.h). Any other key is no: back to the
 * menu, or out of a lesson given on the command line. */
#include "screen_consent.h"

#include "tui_state.h"
#include "lesson_actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent.h"
#include "wrap.h"
#include "i18n.h"

/* Opens `lesson` from the menu or the command line, run on to `step`. */
static int open_now(struct tui *tui, struct lesson *lesson, size_t step, bool from_menu, char **err)
{
	if (lesson_actions_open(tui, lesson, err) < 0)
		return -1;
	tui->from_menu = from_menu;
	if (step > 0)
		lesson_actions_go_to(tui, step < lesson->step_count ? step : lesson->step_count);
	return 0;
}

int screen_consent_open_lesson(struct tui *tui, struct lesson *lesson, size_t step, bool from_menu,
			       char **err)
{
	if (lesson->programs_allowed || !consent_has_programs(lesson))
		return open_now(tui, lesson, step, from_menu, err);
	char *programs = consent_describe(lesson, "\n");
	if (!programs)
		return text_error(err, "%s", _("out of memory"));
	free(tui->consent.programs);
	tui->consent = (struct consent_question){
		.lesson = lesson, .step = step, .from_menu = from_menu, .programs = programs,
	};
	tui->screen = SCREEN_CONSENT;
	return 0;
}

void screen_consent_close(struct tui *tui)
{
	free(tui->consent.programs);
	memset(&tui->consent, 0, sizeof tui->consent);
}

void screen_consent_key(struct tui *tui, int key)
{
	struct consent_question question = tui->consent;
	tui->consent.programs = NULL;
	screen_consent_close(tui);
	free(question.programs);
	tui->screen = SCREEN_MENU;
	if (key != 'y' && key != 'Y') {
		if (question.from_menu)
			tui_message(tui, _("%s: its programs were not started"),
				    question.lesson->name);
		else
			tui->quit = true;
		return;
	}
	question.lesson->programs_allowed = true;
	char *err = NULL;
	if (open_now(tui, question.lesson, question.step, question.from_menu, &err) < 0) {
		tui_message(tui, _("cannot start %s: %s"), question.lesson->name,
			    err ? err : _("out of memory"));
		if (!question.from_menu) {
			tui->exit_code = 2;
			tui->quit = true;
		}
	}
	free(err);
}

/* `text` wrapped at `width` from row *y, indented by x; false when the
 * screen ran out. */
static bool draw_wrapped(struct tui *tui, int *y, int x, const char *text, int width, int last_row,
			 attr_t attr)
{
	struct wrap_line lines[16];
	size_t count = wrap_text(text, width, lines, 16);
	for (size_t i = 0; i < count && i < 16; i++, (*y)++) {
		if (*y > last_row)
			return false;
		draw_text(&tui->style, *y, x, lines[i].start, lines[i].len, width, attr);
	}
	return count <= 16;
}

void screen_consent_draw(struct tui *tui)
{
	const struct tui_style *style = &tui->style;
	const struct consent_question *question = &tui->consent;
	int width = COLS, height = LINES, y = 2, last_row = height - 3;
	attrset(style->roles[ROLE_TITLE]);
	mvhline(0, 0, ' ', width);
	draw_string(style, 0, 1, _("socklab  this lesson starts programs"), width - 2,
		    style->roles[ROLE_TITLE]);
	char about[600];
	snprintf(about, sizeof about,
		 _("%s is not a lesson shipped with socklab. Opening it starts these programs, as "
		   "you, with your files and your rights:"),
		 question->lesson->path);
	draw_wrapped(tui, &y, 2, about, width - 4, last_row, style->roles[ROLE_NORMAL]);
	y++;
	/* One side a line, wrapped under its name: the words exactly as they run. */
	bool whole = true;
	for (const char *line = question->programs; *line && whole;) {
		size_t len = strcspn(line, "\n");
		char *one = strndup(line, len);
		whole = one
			&& draw_wrapped(tui, &y, 4, one, width - 6, last_row - 2,
					style->roles[ROLE_NEXT]);
		free(one);
		line += len + (line[len] == '\n');
	}
	if (!whole)
		draw_string(style, y++, 4,
			    _("... (the commands go on: socklab check FILE prints them)"),
			    width - 6, style->roles[ROLE_FAILED]);
	y++;
	draw_wrapped(tui, &y, 2,
		     _("Start them? y starts them and opens the lesson; n, Enter or any other key "
		       "does not."),
		     width - 4, last_row, style->roles[ROLE_NORMAL]);
	int x = 1;
	x += draw_string(style, height - 1, x, "y", width - x, style->roles[ROLE_KEY]);
	x += draw_string(style, height - 1, x, _(" start the programs  "), width - x,
			 style->roles[ROLE_NORMAL]);
	x += draw_string(style, height - 1, x, "n", width - x, style->roles[ROLE_KEY]);
	draw_string(style, height - 1, x, question->from_menu ? _(" back to the menu") : _(" quit"),
		    width - x, style->roles[ROLE_NORMAL]);
}
