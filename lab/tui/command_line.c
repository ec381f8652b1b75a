/* command_line — free play's line editor: type, complete, recall, run.
 *
 * While the line is open every key that edits goes to it (one table, as
 * the screen's keys are one table); a key the line does not know (F1,
 * Ctrl-L, PgDn) still reaches the screen. Enter hands the line to
 * its owner's run (free play's); what the parser said about it stays under the line, a
 * caret at the byte it points at, until the line changes. Bytes are kept
 * as typed (UTF-8 inside "bytes" too); the cursor moves a character at a
 * time, and columns on screen are counted in characters. */
#include "command_line.h"

#include "tui_state.h"
#include "history.h"
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complete.h"
#include "wrap.h"
#include "i18n.h"

#define CONTROL(letter) ((letter) & 0x1f)
#define ESCAPE 27

/* One list: the edit enum, its key-line label and its help text. */
#define COMMAND_EDITS(_) \
	_(RUN, "run", \
	  "run the line: a call such as server: s = socket(AF_INET, SOCK_STREAM), or a " \
	  "command below") \
	_(COMPLETE, "complete", \
	  "complete the side, call, constant or socket name at the cursor; when several fit, " \
	  "they show under the line, and after a call's '(' Tab says what the argument is") \
	_(HISTORY_BACK, "history", \
	  "the line typed before this one (the history is kept across runs)") \
	_(HISTORY_FORWARD, NULL, "the line typed after") \
	_(LEFT, NULL, "move left") \
	_(RIGHT, NULL, "move right") \
	_(START, NULL, "to the start of the line") \
	_(END, NULL, "to the end of the line") \
	_(DELETE_BACK, NULL, "delete the character before the cursor") \
	_(DELETE, NULL, "delete the character under the cursor") \
	_(KILL_START, NULL, "delete to the start of the line") \
	_(KILL_END, NULL, "delete to the end of the line") \
	_(KILL_WORD, NULL, "delete the word before the cursor") \
	_(LEAVE, "leave", \
	  "leave the command line: keys step, focus panes and quit again (: comes back)")

#define COMMAND_EDIT_ENUM(name, label, help) EDIT_##name,
enum command_edit {
	COMMAND_EDITS(COMMAND_EDIT_ENUM)
	EDIT_COUNT
};
#undef COMMAND_EDIT_ENUM

struct edit_words {
	const char *label;   /* on the key line; NULL: only on the help page */
	const char *help;
};

#define COMMAND_EDIT_WORDS(name, label, help) [EDIT_##name] = { label, help },
static const struct edit_words edit_words[EDIT_COUNT] = {
	COMMAND_EDITS(COMMAND_EDIT_WORDS)
};
#undef COMMAND_EDIT_WORDS

struct edit_key {
	int key;                /* as getch() returns it */
	const char *name;       /* for people */
	enum command_edit edit;
};

/* Readline's keys beside the arrows: what a shell user's fingers expect. */
static const struct edit_key edit_keys[] = {
	{ '\n', "Enter", EDIT_RUN },
	{ '\r', "Enter", EDIT_RUN },
	{ KEY_ENTER, "Enter", EDIT_RUN },
	{ '\t', "Tab", EDIT_COMPLETE },
	{ KEY_UP, "Up", EDIT_HISTORY_BACK },
	{ CONTROL('p'), "Ctrl-P", EDIT_HISTORY_BACK },
	{ KEY_DOWN, "Down", EDIT_HISTORY_FORWARD },
	{ CONTROL('n'), "Ctrl-N", EDIT_HISTORY_FORWARD },
	{ KEY_LEFT, "Left", EDIT_LEFT },
	{ CONTROL('b'), "Ctrl-B", EDIT_LEFT },
	{ KEY_RIGHT, "Right", EDIT_RIGHT },
	{ CONTROL('f'), "Ctrl-F", EDIT_RIGHT },
	{ KEY_HOME, "Home", EDIT_START },
	{ CONTROL('a'), "Ctrl-A", EDIT_START },
	{ KEY_END, "End", EDIT_END },
	{ CONTROL('e'), "Ctrl-E", EDIT_END },
	{ KEY_BACKSPACE, "Backspace", EDIT_DELETE_BACK },
	{ 127, "Backspace", EDIT_DELETE_BACK },
	{ CONTROL('h'), "Ctrl-H", EDIT_DELETE_BACK },
	{ KEY_DC, "Delete", EDIT_DELETE },
	{ CONTROL('d'), "Ctrl-D", EDIT_DELETE },
	{ CONTROL('u'), "Ctrl-U", EDIT_KILL_START },
	{ CONTROL('k'), "Ctrl-K", EDIT_KILL_END },
	{ CONTROL('w'), "Ctrl-W", EDIT_KILL_WORD },
	{ ESCAPE, "Esc", EDIT_LEAVE },
	{ CONTROL('g'), "Ctrl-G", EDIT_LEAVE },
};

size_t command_line_key_names(struct key_name *out, size_t max)
{
	size_t count = sizeof edit_keys / sizeof edit_keys[0];
	for (size_t i = 0; i < count && i < max; i++)
		out[i] = (struct key_name){ edit_keys[i].key, edit_keys[i].name };
	return count;
}

/* ---- the text ---------------------------------------------------------- */

static bool is_continuation(char byte)
{
	return ((unsigned char)byte & 0xc0) == 0x80;
}

static size_t previous_character(const struct command_line *line, size_t at)
{
	if (at == 0)
		return 0;
	do
		at--;
	while (at > 0 && is_continuation(line->text[at]));
	return at;
}

static size_t next_character(const struct command_line *line, size_t at)
{
	if (at >= line->length)
		return line->length;
	do
		at++;
	while (at < line->length && is_continuation(line->text[at]));
	return at;
}

/* What the parser or Tab said was about the text as it was. */
static void line_changed(struct command_line *line)
{
	line->problem[0] = '\0';
	line->hint[0] = '\0';
}

/* Replaces text[from, to) with `len` bytes of `with`; false when the line is full. */
static bool line_replace(struct command_line *line, size_t from, size_t to, const char *with,
			 size_t len)
{
	if (line->length - (to - from) + len >= COMMAND_LINE_MAX)
		return false;
	memmove(line->text + from + len, line->text + to, line->length - to + 1);
	memcpy(line->text + from, with, len);
	line->length = line->length - (to - from) + len;
	line->cursor = from + len;
	line_changed(line);
	return true;
}

static void line_set(struct command_line *line, const char *text)
{
	snprintf(line->text, sizeof line->text, "%s", text);
	line->length = strlen(line->text);
	line->cursor = line->length;
	line_changed(line);
}

void command_line_clear(struct command_line *line)
{
	line_set(line, "");
	line->history_at = line->history.count;
	line->draft[0] = '\0';
}

/* ---- the edits --------------------------------------------------------- */

typedef void edit_fn(struct tui *tui, struct command_line *line);

static void edit_run(struct tui *tui, struct command_line *line)
{
	char text[COMMAND_LINE_MAX];
	memcpy(text, line->text, line->length + 1);
	if (strspn(text, " \t") == line->length) {
		snprintf(line->hint, sizeof line->hint, "%s",
			 _("type a call, like server: s = socket(AF_INET, SOCK_STREAM)"));
		return;
	}
	char *err = NULL;
	if (history_add(&line->history, text, &err) < 0 && !line->history_warned) {
		tui_message(tui, "%s", err ? err : _("history not kept: out of memory"));
		line->history_warned = true;
	}
	free(err);
	line->history_at = line->history.count;
	line->draft[0] = '\0';
	if (line->run && line->run(tui, text)) {
		line_set(line, "");
	} else if (line->problem[0]) {
		/* The cursor goes where the parser points: the place to fix. */
		line->cursor = line->problem_at < line->length ? line->problem_at : line->length;
		while (line->cursor > 0 && is_continuation(line->text[line->cursor]))
			line->cursor--;
	}
}

/* What goes at the cursor when nothing completes it: the words for it. */
static void describe_place(struct command_line *line, const struct completion *completion,
			   const struct lesson *lesson)
{
	const char *word = line->text + completion->start;
	int len = (int)(line->cursor - completion->start);
	if (completion->place == PLACE_SIDE) {
		/* The sides ("server client"), then one sentence. */
		char sides[sizeof line->hint] = "";
		size_t at = 0;
		for (int s = 0; s < lesson->side_count && at < sizeof sides; s++)
			at += (size_t)snprintf(sides + at, sizeof sides - at, "%s%s", at ? " " : "",
					       lesson->sides[s]);
		if (len)
			snprintf(line->hint, sizeof line->hint,
				 _("no side '%.*s': the sides are %s"), len, word, sides);
		else
			snprintf(line->hint, sizeof line->hint, _("the sides are %s"), sides);
	} else if (completion->place == PLACE_CALL) {
		snprintf(line->hint, sizeof line->hint,
			 _("no call starts with '%.*s' (Tab after the side's ': ' lists them)"),
			 len, word);
	} else if (completion->place == PLACE_ARGUMENT) {
		snprintf(line->hint, sizeof line->hint, _("%s: argument %d is %s"),
			 completion->call->usage, completion->argument + 1,
			 catalog_arg_kind_name(completion->kind));
	} else {
		snprintf(line->hint, sizeof line->hint, "%s", _("nothing to complete here"));
	}
}

static void edit_complete(struct tui *tui, struct command_line *line)
{
	const struct lesson *lesson = session_lesson(tui->session);
	struct completion completion;
	complete_at(line->text, line->length, line->cursor, lesson, &completion);
	if (completion.count == 0) {
		describe_place(line, &completion, lesson);
		return;
	}
	size_t typed = line->cursor - completion.start;
	size_t common = complete_common_length(&completion);
	const char *first = completion.candidates[0];
	/* Only ever longer: a word matched ignoring case is rewritten in the
	 * candidates' case, never cut. */
	if (common >= typed && !line_replace(line, completion.start, line->cursor, first, common))
		return;
	if (completion.count == 1) {
		/* The suffix, unless the line already goes on with it. */
		const char *suffix = completion.suffix;
		size_t suffix_len = strlen(suffix);
		if (suffix_len && strncmp(line->text + line->cursor, suffix, suffix_len) == 0)
			line->cursor += suffix_len;
		else if (suffix_len && line->text[line->cursor] == suffix[0])
			line->cursor++;   /* "server:" without its space */
		else if (suffix_len)
			line_replace(line, line->cursor, line->cursor, suffix, suffix_len);
		if (completion.place == PLACE_CALL) {
			const struct call_def *call = catalog_find_call(first, strlen(first));
			snprintf(line->hint, sizeof line->hint, "%s: %s", call->usage,
				 call->summary);
		}
		return;
	}
	size_t at = 0;
	for (size_t i = 0; i < completion.count && at < sizeof line->hint; i++)
		at += (size_t)snprintf(line->hint + at, sizeof line->hint - at, "%s%s",
				       i ? "  " : "", completion.candidates[i]);
}

static void edit_history_back(struct tui *tui, struct command_line *line)
{
	(void)tui;
	if (line->history_at == 0) {
		snprintf(line->hint, sizeof line->hint, "%s",
			 line->history.count ? _("the oldest line kept") : _("nothing typed yet"));
		return;
	}
	if (line->history_at == line->history.count)
		snprintf(line->draft, sizeof line->draft, "%s", line->text);
	line->history_at--;
	line_set(line, line->history.lines[line->history_at]);
}

static void edit_history_forward(struct tui *tui, struct command_line *line)
{
	(void)tui;
	if (line->history_at >= line->history.count)
		return;
	line->history_at++;
	line_set(line,
		 line->history_at == line->history.count ? line->draft
							 : line->history.lines[line->history_at]);
}

static void edit_left(struct tui *tui, struct command_line *line)
{
	(void)tui;
	line->cursor = previous_character(line, line->cursor);
}

static void edit_right(struct tui *tui, struct command_line *line)
{
	(void)tui;
	line->cursor = next_character(line, line->cursor);
}

static void edit_start(struct tui *tui, struct command_line *line)
{
	(void)tui;
	line->cursor = 0;
}

static void edit_end(struct tui *tui, struct command_line *line)
{
	(void)tui;
	line->cursor = line->length;
}

static void edit_delete_back(struct tui *tui, struct command_line *line)
{
	(void)tui;
	line_replace(line, previous_character(line, line->cursor), line->cursor, "", 0);
}

static void edit_delete(struct tui *tui, struct command_line *line)
{
	(void)tui;
	size_t at = line->cursor;
	line_replace(line, at, next_character(line, at), "", 0);
	line->cursor = at;
}

static void edit_kill_start(struct tui *tui, struct command_line *line)
{
	(void)tui;
	line_replace(line, 0, line->cursor, "", 0);
}

static void edit_kill_end(struct tui *tui, struct command_line *line)
{
	(void)tui;
	size_t at = line->cursor;
	line_replace(line, at, line->length, "", 0);
	line->cursor = at;
}

/* Back over spaces, then over the word: a shell's Ctrl-W. */
static void edit_kill_word(struct tui *tui, struct command_line *line)
{
	(void)tui;
	size_t from = line->cursor;
	while (from > 0 && line->text[from - 1] == ' ')
		from--;
	while (from > 0 && line->text[from - 1] != ' ')
		from--;
	line_replace(line, from, line->cursor, "", 0);
}

static void edit_leave(struct tui *tui, struct command_line *line)
{
	(void)tui;
	line->open = false;
	line->hint[0] = '\0';
}

static edit_fn *const edit_handlers[EDIT_COUNT] = {
	[EDIT_RUN] = edit_run,
	[EDIT_COMPLETE] = edit_complete,
	[EDIT_HISTORY_BACK] = edit_history_back,
	[EDIT_HISTORY_FORWARD] = edit_history_forward,
	[EDIT_LEFT] = edit_left,
	[EDIT_RIGHT] = edit_right,
	[EDIT_START] = edit_start,
	[EDIT_END] = edit_end,
	[EDIT_DELETE_BACK] = edit_delete_back,
	[EDIT_DELETE] = edit_delete,
	[EDIT_KILL_START] = edit_kill_start,
	[EDIT_KILL_END] = edit_kill_end,
	[EDIT_KILL_WORD] = edit_kill_word,
	[EDIT_LEAVE] = edit_leave,
};

/* ---- the frontend's side ----------------------------------------------- */

void command_line_init(struct tui *tui, const char *path)
{
	struct command_line *line = &tui->command;
	char *err = NULL;
	if (history_load(&line->history, path, &err) < 0)
		tui_message(tui, "%s", err ? err : _("history skipped: out of memory"));
	free(err);
	command_line_clear(line);
	line->screen_y = -1;
}

void command_line_done(struct command_line *line)
{
	history_done(&line->history);
}

bool command_line_key(struct tui *tui, int key)
{
	struct command_line *line = &tui->command;
	if (!line->open)
		return false;
	for (size_t i = 0; i < sizeof edit_keys / sizeof edit_keys[0]; i++) {
		if (edit_keys[i].key == key) {
			if (edit_keys[i].edit != EDIT_COMPLETE)
				line->hint[0] = '\0';
			edit_handlers[edit_keys[i].edit](tui, line);
			return true;
		}
	}
	/* A byte of text: printable ASCII, or part of a UTF-8 character. */
	if ((key >= 0x20 && key < 0x7f) || (key >= 0x80 && key <= 0xff)) {
		char byte = (char)key;
		if (!line_replace(line, line->cursor, line->cursor, &byte, 1))
			snprintf(line->hint, sizeof line->hint, _("the line is full (%d bytes)"),
				 COMMAND_LINE_MAX - 1);
		return true;
	}
	return false;
}

/* The first byte shown, so that the cursor fits in `room` columns. */
static size_t first_shown(const struct command_line *line, int room)
{
	size_t first = 0;
	while (first < line->cursor
	       && wrap_columns(line->text + first, line->cursor - first) >= room)
		first = next_character(line, first);
	return first;
}

/* The parser's message beside a caret under the byte it points at: to the
 * caret's right when it fits there, else to its left; when it fits on
 * neither side it is cut, and the key line below shows it whole. */
static void problem_draw(struct tui *tui, struct command_line *line, size_t first, int y, int x,
			 int width)
{
	const struct tui_style *style = &tui->style;
	size_t at = line->problem_at > line->length ? line->length : line->problem_at;
	int caret = x + (at > first ? wrap_columns(line->text + first, at - first) : 0);
	if (caret > width - 2)
		caret = width - 2;
	draw_string(style, y, caret, "^", 1, style->roles[ROLE_FAILED]);
	int columns = draw_columns(line->problem);
	bool right = caret + 2 + columns <= width - 1, left = caret - 1 - columns >= 1;
	line->problem_cut = !right && !left;
	if (left && !right)
		draw_string(style, y, caret - 1 - columns, line->problem, columns,
			    style->roles[ROLE_FAILED]);
	else
		draw_string(style, y, caret + 2, line->problem, width - 1 - (caret + 2),
			    style->roles[ROLE_FAILED]);
}

void command_line_draw(struct tui *tui, int y, int width)
{
	const struct tui_style *style = &tui->style;
	struct command_line *line = &tui->command;
	const int x = 3;                       /* after the prompt */
	int room = width - x - 1;
	size_t first = line->open ? first_shown(line, room) : 0;
	const char *prompt = first ? "<" : line->open ? ">" : ":";
	draw_string(style, y, 1, prompt, 1, style->roles[line->open ? ROLE_NEXT : ROLE_DIM]);
	if (line->length)
		draw_text(style, y, x, line->text + first, line->length - first, room,
			  style->roles[line->open ? ROLE_NORMAL : ROLE_DIM]);
	else
		draw_string(style, y, x,
			    line->open ? _("type a call, like server: s = socket(AF_INET, "
					   "SOCK_STREAM)   (Tab completes)")
				       : _("press : to type a call"),
			    room, style->roles[ROLE_DIM]);
	line->screen_y = line->open ? y : -1;
	line->problem_cut = false;
	line->screen_x = x + wrap_columns(line->text + first, line->cursor - first);
	if (line->problem[0])
		problem_draw(tui, line, first, y + 1, x, width);
	else if (line->hint[0] && line->open)
		draw_string(style, y + 1, x, line->hint, room, style->roles[ROLE_DIM]);
}

static const char *first_edit_key(enum command_edit edit)
{
	for (size_t i = 0; i < sizeof edit_keys / sizeof edit_keys[0]; i++)
		if (edit_keys[i].edit == edit)
			return edit_keys[i].name;
	return NULL;
}

void command_line_key_line(struct tui *tui, int y, int width)
{
	int x = 1;
	if (tui->command.problem_cut) {
		draw_string(&tui->style, y, x, tui->command.problem, width - 2,
			    tui->style.roles[ROLE_FAILED]);
		return;
	}
	for (int edit = 0; edit < EDIT_COUNT; edit++) {
		const char *key = first_edit_key((enum command_edit)edit);
		const char *label = edit_words[edit].label;
		if (key && label && !draw_key_label(&tui->style, y, &x, width, key, _(label)))
			return;
	}
	draw_key_label(&tui->style, y, &x, width, "w FILE", _("save as a lesson"));
}

/* Enter has three codes and Backspace two: each name once. */
static bool named_before(size_t index)
{
	for (size_t i = 0; i < index; i++)
		if (edit_keys[i].edit == edit_keys[index].edit
		    && strcmp(edit_keys[i].name, edit_keys[index].name) == 0)
			return true;
	return false;
}

void command_line_help(struct tui_page *page, int width)
{
	page_add(page, "%s", "");
	page_add(page, "%s", _("The command line (free play)"));
	page_add(page, "%s", "");
	for (int edit = 0; edit < EDIT_COUNT; edit++) {
		char keys[96];
		size_t length = 0;
		keys[0] = '\0';
		for (size_t i = 0;
		     i < sizeof edit_keys / sizeof edit_keys[0] && length < sizeof keys; i++) {
			if (edit_keys[i].edit != (enum command_edit)edit || named_before(i))
				continue;
			length += (size_t)snprintf(keys + length, sizeof keys - length, "%s%s",
						   length ? " " : "", edit_keys[i].name);
		}
		page_add_key_row(page, keys, _(edit_words[edit].help), width);
	}
}
