/* screen_menu — the lesson menu of a bare 'socklab' (screen_menu.c): each
 * lesson's number, name and what the student has done of it; digits and a
 * search pick one. */
#ifndef SOCKLAB_TUI_SCREEN_MENU_H
#define SOCKLAB_TUI_SCREEN_MENU_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "lesson.h"

struct tui_page;

int screen_menu_load(struct tui *tui, char **paths, size_t count);
void screen_menu_free(struct tui *tui);
void screen_menu_draw(struct tui *tui);
/* The menu's typing keys, before the key table: digits jump to a lesson,
 * '/' searches the titles (and takes every key while open), g and G go to
 * the top and the end. True when it took the key. */
bool screen_menu_key(struct tui *tui, int key);
/* n at the end of a lesson opened from the menu: opens the next one.
 * True when it took the key. */
bool screen_menu_next_lesson_key(struct tui *tui, int key);
/* The menu's typing keys, for the help page. */
void screen_menu_help(struct tui_page *page, int width);
extern const tui_handler screen_menu_handlers[ACTION_COUNT];

#endif
