/* command_line — free play's line editor (command_line.c): typing, completion,
 * the history, the parser's caret under a line that does not parse. */
#ifndef SOCKLAB_TUI_COMMAND_LINE_H
#define SOCKLAB_TUI_COMMAND_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"
#include "keys.h"

struct command_line;

struct tui;
struct tui_page;

/* Loads the history from `path` (NULL: memory only); a message when it cannot be read. */
void command_line_init(struct tui *tui, const char *path);
void command_line_done(struct command_line *line);
/* A key while the command line is open; true when the line took it. */
bool command_line_key(struct tui *tui, int key);
/* Empties the line (after it ran), back to the end of the history. */
void command_line_clear(struct command_line *line);
/* Two rows from y: the line, then the parser's caret and message or the
 * completion's candidates. Sets where the terminal cursor goes. */
void command_line_draw(struct tui *tui, int y, int width);
/* The key line while the command line is open: its own keys. */
void command_line_key_line(struct tui *tui, int y, int width);
/* The keys the line reads while open, before the key table: writes up
 * to `max` of them to `out` and returns how many the line has. */
size_t command_line_key_names(struct key_name *out, size_t max);
/* The command line's keys, for the help page. */
void command_line_help(struct tui_page *page, int width);

#endif
