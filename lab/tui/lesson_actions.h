/* lesson_actions — what keys do on the lesson screen (lesson_actions.c): step,
 * go back by running again, go to, autoplay, focus a pane, a socket's details. */
#ifndef SOCKLAB_TUI_LESSON_ACTIONS_H
#define SOCKLAB_TUI_LESSON_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"

struct lesson;

/* Starts a session for `lesson` (borrowed) and shows it. Returns 0, or -1
 * with *err. */
int lesson_actions_open(struct tui *tui, const struct lesson *lesson, char **err);
/* Shows tui->session from its start: no focus, no autoplay, the view built. */
void lesson_actions_show(struct tui *tui);
void lesson_actions_close(struct tui *tui);
/* Rebuilds the view after the session or the half on screen changed. */
void lesson_actions_refresh_view(struct tui *tui);
/* One step (or half step) forward; false at the end. */
bool lesson_actions_advance(struct tui *tui);
/* The next autoplay or timer event, in ms from now; -1 for none. */
int lesson_actions_timeout_ms(const struct tui *tui);
/* The timeout passed: autoplay steps, a TIME-WAIT timer is read again. */
void lesson_actions_on_timeout(struct tui *tui);
/* A key while the go-to prompt is open; true when it took the key. */
bool lesson_actions_prompt_key(struct tui *tui, int key);
/* The lesson after the one shown, when it was opened from the menu and
 * the menu has one; else NULL. */
const struct lesson *lesson_actions_next_lesson(const struct tui *tui);
extern const tui_handler lesson_actions_handlers[ACTION_COUNT];

/* Progress: the step the student reached, kept across runs (progress.h). */

/* Records the step on screen (when it moved) for the lesson shown. */
void lesson_actions_record_progress(struct tui *tui);
/* Runs or re-runs the lesson to `steps_done` steps, the whole last step shown. */
void lesson_actions_go_to(struct tui *tui, size_t steps_done);

#endif
