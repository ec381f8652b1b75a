/* screen_help — the '?' page (screen_help.c), written from the key table and
 * each screen's own keys. */
#ifndef SOCKLAB_TUI_SCREEN_HELP_H
#define SOCKLAB_TUI_SCREEN_HELP_H

struct tui;
struct tui_page;

/* Opens the help page, built from the key table. */
void screen_help_open(struct tui *tui);
/* One row of a help page: keys on the left, the help wrapped beside them. */
void screen_help_add_row(struct tui_page *page, const char *keys, const char *help, int width);

#endif
