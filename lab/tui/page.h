/* page — a scrolling page of text over the lesson or the menu (page.c): the
 * help, a socket's details, the whole explanation. */
#ifndef SOCKLAB_TUI_PAGE_H
#define SOCKLAB_TUI_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "keys.h"

struct tui_page;

void page_clear(struct tui_page *page, const char *title);
/* Appends a formatted line; returns -1 when out of memory (the page then
 * says it is incomplete). */
int page_add(struct tui_page *page, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Appends prose wrapped at `width`. */
int page_add_wrapped(struct tui_page *page, const char *indent, const char *text, int width);
/* One row of a help page: keys on the left, the help wrapped beside them. */
void page_add_key_row(struct tui_page *page, const char *keys, const char *help, int width);
/* One row of a legend: `term` (a mark of the screen, in display columns
 * fewer than `indent`) and its meaning wrapped beside it, under itself. */
void page_add_term_row(struct tui_page *page, const char *term, const char *meaning, int indent,
		       int width);
void page_done(struct tui_page *page);
void page_draw(struct tui *tui);
extern const tui_handler page_handlers[ACTION_COUNT];

#endif
