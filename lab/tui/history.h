/* history — the lines typed in free play, kept across runs. No curses.
 *
 * One file, $XDG_STATE_HOME/socklab/history (~/.local/state/socklab/history
 * without it), one line a line, oldest first. A line is appended as it is
 * run, so two labs open at once both keep theirs; the file is cut to its
 * last HISTORY_KEEP lines when it is loaded. A history that cannot be read
 * or written costs the student their recall, never the lab: every failure
 * is a message (its reason first, so a narrow key line keeps it), none is
 * fatal.
 */
#ifndef SOCKLAB_TUI_HISTORY_H
#define SOCKLAB_TUI_HISTORY_H

#include <stddef.h>

enum { HISTORY_KEEP = 500 };

struct history {
	char **lines;        /* owned, oldest first, at most HISTORY_KEEP */
	size_t count;
	char *path;          /* owned; NULL: kept in memory only */
};

/* Where the history lives, from the environment; NULL when neither
 * XDG_STATE_HOME (absolute) nor HOME says. The caller frees it. */
char *history_default_path(void);

/* Starts a history kept in `path` (borrowed, copied; NULL: memory only)
 * and reads what the file holds. Returns 0, or -1 with *err when the file
 * exists but cannot be read (the history then starts empty, still usable). */
int history_load(struct history *history, const char *path, char **err);

/* Appends `line` (a repeat of the last line is not kept twice), in memory
 * and to the file, creating its directory (0700) if need be. Returns 0, or
 * -1 with *err when the file could not be written (memory has the line). */
int history_add(struct history *history, const char *line, char **err);

void history_done(struct history *history);   /* safe twice */

#endif
