/* play_actions — free play on the lesson screen (play_actions.c): typed lines
 * run as steps on the real pair (play.h), w FILE writes them as a lesson, q
 * leaves. */
#ifndef SOCKLAB_TUI_PLAY_ACTIONS_H
#define SOCKLAB_TUI_PLAY_ACTIONS_H

#include <stdbool.h>

#include "keys.h"

struct tui_page;

/* Starts free play on the lesson screen: a play (play.h) whose session is
 * tui->session, the command line open, the history loaded. Returns 0, or
 * -1 with *err. */
int play_actions_open(struct tui *tui, char **err);
/* `:` in a lesson: free play on the lesson's sides, its calls so far run
 * again in a fresh sandbox, the command line open. Returns 0; 1 with *err
 * when free play cannot follow this lesson (it forks, or holds segments),
 * the lesson untouched; -1 with *err when the lab failed (the lesson is
 * closed by then). */
int play_actions_open_from_lesson(struct tui *tui, char **err);
/* Frees the play and so its session; lesson_actions_close calls it. */
void play_actions_close(struct tui *tui);
/* Runs a line from the command line: a call on a side, or a command
 * (w FILE, q). Returns true when the line is done with and may be
 * cleared, false when it stays to be fixed (command_line.problem says why). */
bool play_actions_run_line(struct tui *tui, const char *line);
/* Free play's handlers: an action without one here is the lesson screen's. */
extern const tui_handler play_actions_handlers[ACTION_COUNT];
/* The commands of the command line, for the help page. */
void play_actions_commands_help(struct tui_page *page, int width);

#endif
