/* screen_help — the '?' page (screen_help.c), written from the key table and
 * each screen's own keys. */
#ifndef SOCKLAB_TUI_SCREEN_HELP_H
#define SOCKLAB_TUI_SCREEN_HELP_H

struct tui;

/* Opens the help page, built from the key table. */
void screen_help_open(struct tui *tui);

#endif
