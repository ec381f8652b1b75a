/* screen_menu — the lesson menu of a bare `socklab`: number, name, what
 * the student has done of it (progress.h), title. A broken lesson file is
 * listed too; Enter shows its problems. Above the lessons, "continue
 * where you left off" opens the lesson recorded last at its step. */
#include "screen_menu.h"

#include "tui_state.h"
#include "lesson_actions.h"
#include "page.h"
#include "screen_consent.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson_po.h"
#include "wrap.h"
#include "i18n.h"

int screen_menu_load(struct tui *tui, char **paths, size_t count)
{
	tui->entries = calloc(count ? count : 1, sizeof *tui->entries);
	if (!tui->entries)
		return -1;
	tui->entry_count = count;
	tui->menu_on_continue = true;   /* shown only when there is somewhere to continue */
	for (size_t i = 0; i < count; i++) {
		struct menu_entry *entry = &tui->entries[i];
		entry->path = paths[i];
		diagnostics_init(&entry->diagnostics, paths[i]);
		entry->lesson = lesson_load(paths[i], &entry->diagnostics);
		if (entry->lesson)
			entry->lesson->programs_allowed = tui->options->menu_shipped;
	}
	return 0;
}

void screen_menu_free(struct tui *tui)
{
	for (size_t i = 0; i < tui->entry_count; i++) {
		lesson_free(tui->entries[i].lesson);
		diagnostics_done(&tui->entries[i].diagnostics);
	}
	free(tui->entries);
	tui->entries = NULL;
	tui->entry_count = 0;
}

/* "01-echo" from "lessons/01-echo.lesson", for a file that did not parse. */
static void file_stem(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t len = strlen(base);
	if (len > 7 && strcmp(base + len - 7, ".lesson") == 0)
		len -= 7;
	snprintf(out, size, "%.*s", (int)len, base);
}

/* The entry of the lesson recorded last, or -1; *record gets its record. */
static int continue_entry(const struct tui *tui, struct progress_entry *record)
{
	/* Two lessons recorded in the same second tie in progress_latest: what
	 * this run recorded last is the later. */
	if (!tui->progress
	    || (!(tui->recorded_lesson[0]
		  && progress_get(tui->progress, tui->recorded_lesson, record))
		&& !progress_latest(tui->progress, record)))
		return -1;
	for (size_t i = 0; i < tui->entry_count; i++)
		if (tui->entries[i].lesson
		    && strcmp(tui->entries[i].lesson->name, record->name) == 0)
			return (int)i;
	return -1;
}

static bool continue_selected(const struct tui *tui)
{
	struct progress_entry record;
	return tui->menu_on_continue && continue_entry(tui, &record) >= 0;
}

/* "✓" done, "tried, 2 failed" stepped to the end with failures, "→ 4/9" in
 * progress (ASCII without UTF-8), "" not started. True for "tried". */
static bool progress_mark(const struct tui *tui, const struct menu_entry *entry, char *out,
			  size_t size)
{
	struct progress_entry record;
	out[0] = '\0';
	if (!entry->lesson || !tui->progress
	    || !progress_get(tui->progress, entry->lesson->name, &record))
		return false;
	bool utf8 = tui->style.utf8;
	if (record.done)
		snprintf(out, size, "%s", utf8 ? "✓" : _("done"));
	else if (record.failed)
		snprintf(out, size, _("tried, %zu failed"), record.failed);
	else if (record.steps_reached > 0)
		snprintf(out, size, "%s %zu/%zu", utf8 ? "→" : "->", record.steps_reached,
			 entry->lesson->step_count);
	return !record.done && record.failed;
}

static void draw_continue(struct tui *tui, const struct menu_entry *entry,
			  const struct progress_entry *record, int y, int width, bool selected)
{
	const struct tui_style *style = &tui->style;
	char number[8], line[200];
	const char *name;
	view_lesson_number(entry->lesson->name, number, sizeof number, &name);
	attr_t attr = selected ? style->roles[ROLE_SELECTED] : style->roles[ROLE_NORMAL];
	if (selected) {
		attrset(attr);
		mvhline(y, 1, ' ', width - 2);
	}
	snprintf(line, sizeof line, _("continue where you left off: %s %s, step %zu of %zu"),
		 number, name, record->last_step, entry->lesson->step_count);
	draw_string(style, y, 2, selected ? ">" : " ", 1, attr);
	draw_string(style, y, 4, line, width - 6, attr | style->roles[ROLE_NEXT]);
}

/* The mark column: 8 wide, wider when a lesson was tried with failures
 * ("tried, 12 failed", ASCII), so that every title starts in one column. */
static int mark_width(const struct tui *tui)
{
	int widest = 8;
	for (size_t i = 0; i < tui->entry_count; i++) {
		const struct menu_entry *entry = &tui->entries[i];
		struct progress_entry record;
		char mark[48];
		if (!entry->lesson || !tui->progress
		    || !progress_get(tui->progress, entry->lesson->name, &record) || record.done
		    || !record.failed)
			continue;
		progress_mark(tui, entry, mark, sizeof mark);
		if (draw_columns(mark) > widest)
			widest = draw_columns(mark);
	}
	return widest;
}

static void draw_entry(struct tui *tui, const struct menu_entry *entry, int y, int width, int marks,
		       bool selected)
{
	const struct tui_style *style = &tui->style;
	char stem[64], number[8];
	const char *name;
	file_stem(entry->path, stem, sizeof stem);
	view_lesson_number(entry->lesson ? entry->lesson->name : stem, number, sizeof number,
			   &name);
	attr_t attr = selected ? style->roles[ROLE_SELECTED] : style->roles[ROLE_NORMAL];
	if (selected) {
		attrset(attr);
		mvhline(y, 1, ' ', width - 2);
	}
	draw_string(style, y, 2, selected ? ">" : " ", 1, attr);
	draw_string(style, y, 4, number, 3, attr);
	draw_string(style, y, 8, name, 15, attr);
	char mark[48];
	bool tried = progress_mark(tui, entry, mark, sizeof mark);
	draw_string(style, y, 24, mark, marks,
		    attr | style->roles[tried ? ROLE_FAILED : ROLE_CHANGED]);
	int title = 25 + marks;
	if (entry->lesson) {
		draw_string(style, y, title, entry->lesson->title ? entry->lesson->title : "",
			    width - title - 2, attr);
	} else {
		char broken[128];
		snprintf(broken, sizeof broken,
			 ngettext("(broken: %zu problem; Enter shows them)",
				  "(broken: %zu problems; Enter shows them)",
				  entry->diagnostics.count),
			 entry->diagnostics.count);
		draw_string(style, y, title, broken, width - title - 2,
			    attr | style->roles[ROLE_FAILED]);
	}
}

/* The search line: what is typed, and whether a title has it. */
static void search_draw(struct tui *tui, int y, int width)
{
	const struct tui_style *style = &tui->style;
	const struct menu_typing *typing = &tui->menu_typing;
	int x = 1 + draw_string(style, y, 1, "/", width - 2, style->roles[ROLE_KEY]);
	x += draw_string(style, y, x, typing->search, width - 1 - x, style->roles[ROLE_NORMAL]);
	tui->command.screen_y = y;   /* the terminal's cursor shows where typing goes */
	tui->command.screen_x = x < width - 1 ? x : width - 1;
	const char *hint =
		tui->message[0] ? "" : _("   Enter choose  Down Up other matches  Esc cancel");
	draw_string(style, y, x + 1, hint, width - 2 - x, style->roles[ROLE_DIM]);
}

void screen_menu_draw(struct tui *tui)
{
	const struct tui_style *style = &tui->style;
	int width = COLS, height = LINES;
	attrset(style->roles[ROLE_TITLE]);
	mvhline(0, 0, ' ', width);
	draw_string(style, 0, 1, _("socklab  lessons: the BSD socket API on the real kernel"),
		    width - 2, style->roles[ROLE_TITLE]);
	int y = 2;
	struct progress_entry record;
	int resume = continue_entry(tui, &record);
	bool on_continue = resume >= 0 && tui->menu_on_continue;
	if (resume >= 0) {
		draw_continue(tui, &tui->entries[resume], &record, y, width, on_continue);
		y += 2;
	}
	int list_rows = height - 2 - y;
	bool cut = list_rows < 0 || tui->entry_count > (size_t)list_rows;
	if (cut)
		list_rows--;   /* a row says what the list hides */
	if (list_rows < 1)
		list_rows = 1;
	size_t first = tui->menu_selected >= (size_t)list_rows
		? tui->menu_selected - (size_t)list_rows + 1
		: 0;
	int list_top = y, marks = mark_width(tui);
	size_t i = first;
	for (; i < tui->entry_count && y < list_top + list_rows; i++, y++)
		draw_entry(tui, &tui->entries[i], y, width, marks,
			   !on_continue && i == tui->menu_selected);
	if (cut && y < height - 1) {
		char more[96];
		snprintf(more, sizeof more, "  ");
		snprintf(more + 2, sizeof more - 2, _("(%zu more above, %zu more below: Up Down)"),
			 first, tui->entry_count - i);
		draw_string(style, y++, 2, more, width - 4, style->roles[ROLE_DIM]);
	}
	/* The selected lesson's intro, where there is room. */
	const struct menu_entry *selected = on_continue ? &tui->entries[resume]
					    : tui->entry_count ? &tui->entries[tui->menu_selected]
							       : NULL;
	if (selected && selected->lesson && selected->lesson->intro && y + 2 < height - 1) {
		struct wrap_line lines[32];
		size_t count = wrap_text(selected->lesson->intro, width - 6, lines, 32);
		int row = y + 1;
		int room = height - 2 - row;
		bool intro_cut = count > (size_t)room;
		if (intro_cut)
			room--;   /* the last row says where the rest is */
		for (size_t i = 0; i < count && i < 32 && (int)i < room; i++, row++)
			draw_text(style, row, 4, lines[i].start, lines[i].len, width - 6,
				  style->roles[ROLE_DIM]);
		if (intro_cut)
			draw_string(style, row, 4, "... (Enter: the lesson opens on all of it)",
				    width - 6, style->roles[ROLE_DIM]);
	}
	if (tui->menu_typing.searching) {
		search_draw(tui, height - 1, width);
	} else {
		int x = 1;
		const char *pairs[][2] = { { "Enter", _("open") },  { "Up Down", _("choose") },
					   { "1-99", _("number") }, { "/", _("search") },
					   { "?", _("help") },      { "q", _("quit") } };
		for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
			if (!draw_key_label(style, height - 1, &x, width, pairs[k][0], pairs[k][1]))
				break;
	}
	if (tui->message[0])
		draw_string(style, height - 2, 1, tui->message, width - 2,
			    style->roles[ROLE_FAILED]);
}

static void menu_up(struct tui *tui)
{
	struct progress_entry record;
	if (continue_selected(tui))
		return;
	if (tui->menu_selected > 0)
		tui->menu_selected--;
	else if (continue_entry(tui, &record) >= 0)
		tui->menu_on_continue = true;
}

static void menu_down(struct tui *tui)
{
	if (continue_selected(tui))
		tui->menu_on_continue = false;
	else if (tui->menu_selected + 1 < tui->entry_count)
		tui->menu_selected++;
	tui->menu_on_continue = false;
}

/* Home: the top, "continue" where there is one. */
static void menu_first(struct tui *tui)
{
	tui->menu_selected = 0;
	tui->menu_on_continue = true;
}

/* End: the last lesson. */
static void menu_last(struct tui *tui)
{
	if (tui->entry_count)
		tui->menu_selected = tui->entry_count - 1;
	tui->menu_on_continue = false;
}

static void menu_select(struct tui *tui, size_t index)
{
	tui->menu_selected = index;
	tui->menu_on_continue = false;
}

/* The lesson number of an entry: 1 for "01-echo"; -1 for none. */
static int entry_number(const struct menu_entry *entry)
{
	char stem[64];
	file_stem(entry->path, stem, sizeof stem);
	const char *name = entry->lesson ? entry->lesson->name : stem;
	return isdigit((unsigned char)name[0]) ? atoi(name) : -1;
}

/* A digit: the digits typed so far name a lesson, or this digit alone does. */
static void number_typed(struct tui *tui, int digit)
{
	struct menu_typing *typing = &tui->menu_typing;
	size_t length = strlen(typing->number);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt == 1 || length + 1 >= sizeof typing->number)
			length = 0;   /* no lesson has the longer number: start again
			                 from this digit */
		typing->number[length] = (char)digit;
		typing->number[length + 1] = '\0';
		int wanted = atoi(typing->number);
		for (size_t i = 0; i < tui->entry_count; i++)
			if (entry_number(&tui->entries[i]) == wanted) {
				menu_select(tui, i);
				return;
			}
	}
	tui_message(tui, _("no lesson %s (see the numbers on the left)"), typing->number);
	typing->number[0] = '\0';
}

/* Whether `needle` is in `text`, letters of either case alike. */
static bool contains_folded(const char *text, const char *needle)
{
	size_t length = strlen(needle);
	for (; text && *text; text++)
		if (strncasecmp(text, needle, length) == 0)
			return true;
	return needle[0] == '\0';
}

static bool entry_matches(const struct menu_entry *entry, const char *search)
{
	char stem[64];
	file_stem(entry->path, stem, sizeof stem);
	return contains_folded(stem, search)
		|| (entry->lesson && contains_folded(entry->lesson->title, search));
}

/* The next entry (from `from`, in `direction`, round the end) whose name
 * or title has the search; false when none has. */
static bool search_select(struct tui *tui, size_t from, int direction)
{
	size_t count = tui->entry_count;
	for (size_t k = 0; k < count; k++) {
		size_t i = (from + count + (size_t)direction * k) % count;
		if (entry_matches(&tui->entries[i], tui->menu_typing.search)) {
			menu_select(tui, i);
			return true;
		}
	}
	return false;
}

/* Whether `text` ends with a whole UTF-8 character: getch() hands a
 * character typed in Chinese over one byte a key. */
static bool ends_whole(const char *text, size_t length)
{
	size_t lead = length;
	while (lead > 0 && ((unsigned char)text[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0)
		return length == 0;
	unsigned char first = (unsigned char)text[lead - 1];
	size_t want = first < 0x80 ? 1 : first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : 2;
	return length - (lead - 1) >= want;
}

/* A key while the search line is open: every key is the line's. */
static void search_key(struct tui *tui, int key)
{
	struct menu_typing *typing = &tui->menu_typing;
	size_t length = strlen(typing->search);
	switch (key) {
	case 27:   /* Esc: as before the search */
		typing->searching = false;
		tui->menu_selected = typing->before;
		tui->menu_on_continue = typing->before_on_continue;
		return;
	case '\n': case '\r': case KEY_ENTER:
		typing->searching = false;
		return;
	case KEY_DOWN:
		search_select(tui, tui->menu_selected + 1, 1);
		return;
	case KEY_UP:
		search_select(tui, tui->menu_selected + tui->entry_count - 1, -1);
		return;
	case KEY_BACKSPACE: case 127: case 8:
		/* A whole character: its continuation bytes, then its first. */
		while (length > 0 && ((unsigned char)typing->search[length - 1] & 0xc0) == 0x80)
			typing->search[--length] = '\0';
		if (length > 0)
			typing->search[length - 1] = '\0';
		break;
	default: {
		bool byte = key >= 0x80 && key <= 0xff;   /* of a character typed in UTF-8 */
		if ((!byte && (key < ' ' || key > '~')) || length + 1 >= sizeof typing->search)
			return;   /* other keys type nothing */
		typing->search[length] = (char)key;
		typing->search[length + 1] = '\0';
		if (!ends_whole(typing->search, length + 1))
			return;   /* the rest of the character is on its way */
		break;
	}
	}
	if (!search_select(tui, 0, 1))
		tui_message(tui, _("no lesson's name or title has '%s'"), typing->search);
}

bool screen_menu_key(struct tui *tui, int key)
{
	struct menu_typing *typing = &tui->menu_typing;
	if (typing->searching) {
		search_key(tui, key);
		return true;
	}
	if (key >= '0' && key <= '9' && tui->entry_count) {
		number_typed(tui, key);
		return true;
	}
	typing->number[0] = '\0';
	switch (key) {
	case '/':
		if (tui->entry_count == 0)
			return false;
		*typing = (struct menu_typing){ .searching = true, .before = tui->menu_selected,
						 .before_on_continue = tui->menu_on_continue };
		return true;
	case 'g':
		menu_first(tui);
		return true;
	case 'G':
		menu_last(tui);
		return true;
	default:
		return false;
	}
}

bool screen_menu_next_lesson_key(struct tui *tui, int key)
{
	if (key != 'n' || tui->screen != SCREEN_LESSON || !tui->view.at_end)
		return false;
	const struct lesson *next = lesson_actions_next_lesson(tui);
	if (!next)
		return false;
	for (size_t i = 0; i < tui->entry_count; i++)
		if (tui->entries[i].lesson == next) {
			char *err = NULL;
			tui->menu_selected = i;
			tui->menu_on_continue = false;
			if (screen_consent_open_lesson(tui, tui->entries[i].lesson, 0, true,
						       &err) < 0) {
				tui_message(tui, _("cannot start %s: %s"), next->name,
					    err ? err : _("out of memory"));
				free(err);
			}
			break;
		}
	return true;
}

void screen_menu_help(struct tui_page *page, int width)
{
	static const char *const rows[][2] = {
		{ "1 ... 99",
		  N_("in the menu: the lesson of that number (01 and 1 alike; 1 then 2 is "
		     "lesson 12)") },
		{ "/",
		  N_("in the menu: search the lessons' names and titles; Down and Up the other "
		     "matches, Enter keeps the one found, Esc goes back") },
		{ "g Home  G End",
		  N_("in the menu: the top (continue where you left off) and the last lesson") },
		{ "n", N_("at the end of a lesson opened from the menu: the next lesson") },
	};
	page_add(page, "%s", "");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		page_add_key_row(page, rows[i][0], _(rows[i][1]), width);
}

/* Opens the lesson recorded last and runs it to where it was left. */
static void menu_continue(struct tui *tui)
{
	struct progress_entry record;
	int index = continue_entry(tui, &record);
	struct lesson *lesson = tui->entries[index].lesson;
	char *err = NULL;
	tui->menu_selected = (size_t)index;
	if (screen_consent_open_lesson(tui, lesson, record.last_step, true, &err) < 0) {
		tui_message(tui, _("cannot start %s: %s"), lesson->name,
			    err ? err : _("out of memory"));
		free(err);
	}
}

static void menu_open(struct tui *tui)
{
	if (tui->entry_count == 0)
		return;
	if (continue_selected(tui)) {
		menu_continue(tui);
		return;
	}
	struct menu_entry *entry = &tui->entries[tui->menu_selected];
	if (!entry->lesson) {
		char title[128];
		snprintf(title, sizeof title, _("%s does not parse"), entry->path);
		page_clear(&tui->page, title);
		page_add(&tui->page, "%s", "");
		for (size_t i = 0; i < entry->diagnostics.count; i++)
			page_add_wrapped(&tui->page, "  ", entry->diagnostics.messages[i],
					 COLS - 2);
		page_add(&tui->page, "%s", "");
		page_add(&tui->page, "  %s", _("socklab check FILE prints the same list."));
		return;
	}
	char *err = NULL;
	if (screen_consent_open_lesson(tui, entry->lesson, 0, true, &err) < 0) {
		tui_message(tui, _("cannot start %s: %s"), entry->lesson->name,
			    err ? err : _("out of memory"));
		free(err);
	}
}

static void menu_quit(struct tui *tui)
{
	tui->quit = true;
}

static void menu_redraw(struct tui *tui)
{
	(void)tui;
}

const tui_handler screen_menu_handlers[ACTION_COUNT] = {
	[ACTION_UP] = menu_up,
	[ACTION_DOWN] = menu_down,
	[ACTION_FIRST] = menu_first,
	[ACTION_LAST] = menu_last,
	[ACTION_BACK] = menu_up,     /* a clicker moves in the menu; only Enter opens */
	[ACTION_NEXT] = menu_down,
	[ACTION_OPEN] = menu_open,
	[ACTION_QUIT] = menu_quit,
	[ACTION_REDRAW] = menu_redraw,
};
