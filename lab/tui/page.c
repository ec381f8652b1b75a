/* page — a full-screen page of text over the lesson or the menu:
 * the help, a socket's details, the whole explanation, a broken lesson's
 * problems. Lines are built once when the page opens; drawing only scrolls. */
#include "page.h"

#include "tui_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wrap.h"
#include "i18n.h"

void page_done(struct tui_page *page)
{
	for (size_t i = 0; i < page->count; i++)
		free(page->lines[i]);
	free(page->lines);
	memset(page, 0, sizeof *page);
}

void page_clear(struct tui_page *page, const char *title)
{
	page_done(page);
	snprintf(page->title, sizeof page->title, "%s", title);
	page->open = true;
}

static int page_append(struct tui_page *page, char *line)
{
	if (!line) {
		page->incomplete = true;
		return -1;
	}
	if (page->count == page->capacity) {
		size_t capacity = page->capacity ? page->capacity * 2 : 32;
		char **grown = realloc(page->lines, capacity * sizeof *grown);
		if (!grown) {
			free(line);
			page->incomplete = true;
			return -1;
		}
		page->lines = grown;
		page->capacity = capacity;
	}
	page->lines[page->count++] = line;
	return 0;
}

int page_add(struct tui_page *page, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *line = NULL;
	int result = vasprintf(&line, format, args);
	va_end(args);
	return page_append(page, result < 0 ? NULL : line);
}

int page_add_wrapped(struct tui_page *page, const char *indent, const char *text, int width)
{
	int usable = width - draw_columns(indent);
	size_t count = wrap_text(text, usable, NULL, 0);
	struct wrap_line *lines = calloc(count ? count : 1, sizeof *lines);
	if (!lines) {
		page->incomplete = true;
		return -1;
	}
	wrap_text(text, usable, lines, count);
	int result = 0;
	for (size_t i = 0; i < count && result == 0; i++)
		result = page_add(page, "%s%.*s", indent, (int)lines[i].len, lines[i].start);
	free(lines);
	return result;
}

void page_add_key_row(struct tui_page *page, const char *keys, const char *help, int width)
{
	char indent[32];
	snprintf(indent, sizeof indent, "%-24s", "");
	char first[160];
	snprintf(first, sizeof first, "  %-21s ", keys);
	/* The help text wraps under itself, beside the keys. */
	size_t before = page->count;
	page_add_wrapped(page, indent, help, width);
	if (page->count > before) {
		char *line = page->lines[before];
		size_t keep = strlen(first) <= strlen(indent) ? strlen(first) : strlen(indent);
		memcpy(line, first, keep);
	}
}

void page_add_term_row(struct tui_page *page, const char *term, const char *meaning, int indent,
		       int width)
{
	char under[64], first[128];
	int term_columns = draw_columns(term);
	if (indent >= (int)sizeof under)
		indent = (int)sizeof under - 1;
	snprintf(under, sizeof under, "%*s", indent, "");
	/* Padded by display columns: a Chinese mark is three bytes in two. */
	snprintf(first, sizeof first, "  %s%*s", term,
		 indent - 2 - term_columns > 1 ? indent - 2 - term_columns : 1, "");
	size_t before = page->count;
	page_add_wrapped(page, under, meaning, width);
	if (page->count == before)
		return;
	char *line = page->lines[before];
	char *joined = NULL;
	if (asprintf(&joined, "%s%s", first, line + strlen(under)) < 0) {
		page->incomplete = true;
		return;
	}
	free(line);
	page->lines[before] = joined;
}

void page_draw(struct tui *tui)
{
	const struct tui_style *style = &tui->style;
	struct tui_page *page = &tui->page;
	int width = COLS, height = LINES;
	int body = height - 2;
	if (page->top + (size_t)body > page->count)
		page->top = page->count > (size_t)body ? page->count - (size_t)body : 0;
	attrset(style->roles[ROLE_TITLE]);
	mvhline(0, 0, ' ', width);
	draw_string(style, 0, 1, page->title, width - 2, style->roles[ROLE_TITLE]);
	for (int row = 0; row < body && page->top + (size_t)row < page->count; row++) {
		const char *line = page->lines[page->top + (size_t)row];
		draw_text(style, row + 1, 1, line, strlen(line), width - 2,
			  style->roles[ROLE_NORMAL]);
	}
	if (page->incomplete)
		draw_string(style, 0, width - 30, _(" out of memory: incomplete "), 28,
			    style->roles[ROLE_FAILED]);
	/* Where the page is, "45-66/120": short, so it fits beside the keys;
	 * drawn whole or not at all (cut, it would show other numbers). */
	char where[96];
	if (page->count > (size_t)body)
		snprintf(where, sizeof where, "%zu-%zu/%zu", page->top + 1,
			 page->top + (size_t)body < page->count ? page->top + (size_t)body
								: page->count,
			 page->count);
	else
		where[0] = '\0';
	/* Over a lesson PgUp and PgDn step (page_next): Ctrl-U and Ctrl-D page. */
	bool over_lesson = tui->screen == SCREEN_LESSON;
	int x = 1;
	x += draw_string(style, height - 1, x, over_lesson ? "Up Down ^U ^D" : "Up Down PgUp PgDn",
			 width - x, style->roles[ROLE_KEY]);
	x += draw_string(style, height - 1, x, _(" scroll  "), width - x,
			 style->roles[ROLE_NORMAL]);
	x += draw_string(style, height - 1, x, "q Esc Enter", width - x, style->roles[ROLE_KEY]);
	x += draw_string(style, height - 1, x, _(" close  "), width - x, style->roles[ROLE_NORMAL]);
	if (over_lesson) {
		x += draw_string(style, height - 1, x, "space PgDn", width - x,
				 style->roles[ROLE_KEY]);
		x += draw_string(style, height - 1, x, _(" close, step   "), width - x,
				 style->roles[ROLE_NORMAL]);
	}
	int where_columns = draw_columns(where);
	if (where_columns && where_columns < width - x)
		draw_string(style, height - 1, width - 1 - where_columns, where, where_columns,
			    style->roles[ROLE_DIM]);
}

static size_t page_body(void)
{
	return LINES > 3 ? (size_t)LINES - 2 : 1;
}

static void page_up(struct tui *tui)
{
	if (tui->page.top > 0)
		tui->page.top--;
}

static void page_down(struct tui *tui)
{
	if (tui->page.top + page_body() < tui->page.count)
		tui->page.top++;
}

static void page_back(struct tui *tui)
{
	tui->page.top = tui->page.top > page_body() ? tui->page.top - page_body() : 0;
}

static void page_forward(struct tui *tui)
{
	tui->page.top += page_body();   /* page_draw clamps it */
}

static void page_first(struct tui *tui)
{
	tui->page.top = 0;
}

static void page_last(struct tui *tui)
{
	tui->page.top = tui->page.count;
}

static void page_close(struct tui *tui)
{
	page_done(&tui->page);
}

static void page_ignore(struct tui *tui)
{
	(void)tui;
}

const tui_handler page_handlers[ACTION_COUNT] = {
	[ACTION_UP] = page_up,
	[ACTION_DOWN] = page_down,
	[ACTION_NEXT] = page_forward,   /* over a lesson, dispatch.c closes the page and steps */
	[ACTION_BACK] = page_back,
	[ACTION_PAGE_UP] = page_back,
	[ACTION_PAGE_DOWN] = page_forward,
	[ACTION_FIRST] = page_first,
	[ACTION_LAST] = page_last,
	[ACTION_OPEN] = page_close,
	[ACTION_CLOSE] = page_close,
	[ACTION_QUIT] = page_close,
	[ACTION_HELP] = page_close,
	[ACTION_REDRAW] = page_ignore,
};
