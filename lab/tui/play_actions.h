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
/* Runs a line from the command line: a call on a side, or a command
 * (w FILE, q). Returns true when the line is done with and may be
 * cleared, false when it stays to be fixed (command_line.problem says why). */
bool play_actions_run_line(struct tui *tui, const char *line);
/* Free play's handlers: an action without one here is the lesson screen's. */
extern const tui_handler play_actions_handlers[ACTION_COUNT];
/* Free play's way in from a lesson, before the lesson screen's handlers:
 * ':' plays on from the step on screen, the lesson's calls so far run
 * again in a fresh sandbox, the command line open. When free play cannot
 * follow the lesson (it forks, or holds segments) the lesson goes on and
 * the message line says why. */
extern const tui_handler play_actions_entry_handlers[ACTION_COUNT];
/* The commands of the command line, for the help page. */
void play_actions_commands_help(struct tui_page *page, int width);

#endif
