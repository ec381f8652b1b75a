/* screen_consent — before a lesson not shipped with socklab starts programs
 * (screen_consent.c): the commands it would run, and y/N. */
#ifndef SOCKLAB_TUI_SCREEN_CONSENT_H
#define SOCKLAB_TUI_SCREEN_CONSENT_H

#include <stdbool.h>
#include <stddef.h>

struct tui;
struct lesson;

/* Opens `lesson` (from the menu, or the command line's), run on to
 * `step`; a lesson whose programs are not allowed yet asks first, and
 * opens on y. Returns 0, or -1 with *err (lesson_actions_open's). */
int screen_consent_open_lesson(struct tui *tui, struct lesson *lesson, size_t step, bool from_menu,
			       char **err);
/* A key while the question is shown: y opens the lesson, any other does not. */
void screen_consent_key(struct tui *tui, int key);
void screen_consent_draw(struct tui *tui);
/* Forgets the question; safe twice. */
void screen_consent_close(struct tui *tui);

#endif
