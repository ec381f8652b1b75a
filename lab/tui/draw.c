/* draw — the curses helpers every screen uses: attributes, safe text, boxes. */
#include "draw.h"

#include <stdio.h>
#include <string.h>

#include "text.h"
#include "wrap.h"
#include "i18n.h"

/* How each role looks: on a monochrome terminal (or with NO_COLOR) by
 * attribute alone, with colours as a colour pair on top of that. Change
 * marks never rely on either: a '*' is drawn beside them. */
struct role_look {
	attr_t mono;
	short foreground, background;   /* -1: the terminal's default */
	attr_t color_extra;
};

static const struct role_look role_looks[ROLE_COUNT] = {
	[ROLE_NORMAL] = { A_NORMAL, -1, -1, A_NORMAL },
	[ROLE_TITLE] = { A_REVERSE, COLOR_WHITE, COLOR_BLUE, A_BOLD },
	[ROLE_BORDER] = { A_NORMAL, -1, -1, A_NORMAL },
	[ROLE_PANE_TITLE] = { A_BOLD, -1, -1, A_BOLD },
	[ROLE_FOCUSED] = { A_REVERSE | A_BOLD, COLOR_BLACK, COLOR_CYAN, A_BOLD },
	[ROLE_CHANGED] = { A_BOLD, COLOR_YELLOW, -1, A_BOLD },
	[ROLE_LATEST] = { A_BOLD, COLOR_CYAN, -1, A_BOLD },
	[ROLE_BLOCKED] = { A_BOLD | A_UNDERLINE, COLOR_MAGENTA, -1, A_BOLD },
	[ROLE_FAILED] = { A_BOLD | A_REVERSE, COLOR_RED, -1, A_BOLD },
	[ROLE_LABEL] = { A_BOLD, COLOR_CYAN, -1, A_NORMAL },
	[ROLE_NEXT] = { A_BOLD, COLOR_GREEN, -1, A_BOLD },
	[ROLE_DIM] = { A_DIM, -1, -1, A_DIM },
	[ROLE_SELECTED] = { A_REVERSE, -1, -1, A_REVERSE },
	[ROLE_KEY] = { A_BOLD, -1, -1, A_BOLD },
};

void draw_style_init(struct tui_style *style, bool color, bool big)
{
	style->big = big;
	bool colors = color && has_colors() && start_color() == OK;
	if (colors)
		use_default_colors();
	for (int role = 0; role < ROLE_COUNT; role++) {
		const struct role_look *look = &role_looks[role];
		attr_t attr = look->mono;
		if (colors && (look->foreground >= 0 || look->background >= 0)
		    && role < COLOR_PAIRS) {
			init_pair((short)role, look->foreground, look->background);
			/* The colour says it; reverse video on top would hide it. */
			attr = (attr_t)COLOR_PAIR(role) | look->color_extra;
		} else if (colors) {
			attr = look->color_extra | (look->mono & (A_REVERSE | A_UNDERLINE));
		}
		/* A projector washes out dim and thin text: everything bold. */
		if (big)
			attr = (attr & ~(attr_t)A_DIM) | A_BOLD;
		style->roles[role] = attr;
	}
}

static bool is_continuation(unsigned char byte)
{
	return (byte & 0xc0) == 0x80;
}

int draw_text(const struct tui_style *style, int y, int x, const char *text, size_t len,
	      int max_columns, attr_t attr)
{
	const unsigned char *bytes = (const unsigned char *)text;
	int columns = 0;
	size_t i = 0;
	if (max_columns <= 0 || len == 0)
		return 0;
	attrset(attr);
	move(y, x);
	while (i < len && columns < max_columns) {
		/* A run of printable ASCII goes out in one call. */
		size_t run = 0;
		while (i + run < len && bytes[i + run] >= 0x20 && bytes[i + run] < 0x7f
		       && columns + (int)run < max_columns)
			run++;
		if (run) {
			addnstr(text + i, (int)run);
			i += run;
			columns += (int)run;
			continue;
		}
		unsigned char byte = bytes[i];
		if (byte == '\n' || byte == '\t' || byte == '\r') {
			addch(' ');
			i++;
		} else if (byte < 0x80) {
			addch('?');
			i++;
		} else {
			/* The rule of every frontend; a wide character (Chinese) takes
			 * two columns: drawn whole or not at all. */
			size_t n = text_printable_length(bytes + i, len - i);
			int width = n && style->utf8 ? wrap_columns(text + i, n) : 1;
			if (columns + width > max_columns)
				break;
			if (n && style->utf8)
				addnstr(text + i, (int)n);
			else
				addch('?');
			i += n ? n : 1;
			while (!n && i < len && is_continuation(bytes[i]))
				i++;
			columns += width;
			continue;
		}
		columns++;
	}
	attrset(A_NORMAL);
	return columns;
}

int draw_columns(const char *text)
{
	/* display columns: a Chinese character takes two */
	return wrap_columns(text, strlen(text));
}

int draw_string(const struct tui_style *style, int y, int x, const char *text, int max_columns,
		attr_t attr)
{
	int columns = draw_columns(text);
	if (columns <= max_columns)
		return draw_text(style, y, x, text, strlen(text), max_columns, attr);
	if (max_columns <= 3)
		return draw_text(style, y, x, "...", 3, max_columns, attr);
	int used = draw_text(style, y, x, text, strlen(text), max_columns - 3, attr);
	return used + draw_text(style, y, x + used, "...", 3, 3, attr);
}

void draw_box(int y, int x, int height, int width, attr_t border)
{
	if (height < 2 || width < 2)
		return;
	attrset(border);
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, width - 2);
	mvaddch(y, x + width - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, height - 2);
	mvvline(y + 1, x + width - 1, ACS_VLINE, height - 2);
	mvaddch(y + height - 1, x, ACS_LLCORNER);
	mvhline(y + height - 1, x + 1, ACS_HLINE, width - 2);
	mvaddch(y + height - 1, x + width - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
}

void draw_too_small(const struct tui_style *style, int width, int height)
{
	char line[96];
	snprintf(line, sizeof line, _("socklab needs at least %dx%d; this terminal is %dx%d"),
		 TUI_MIN_WIDTH, TUI_MIN_HEIGHT, width, height);
	const char *hint = _("enlarge it, or press q to quit");
	int y = height / 2 - 1;
	int x = (width - draw_columns(line)) / 2;
	draw_string(style, y < 0 ? 0 : y, x < 0 ? 0 : x, line, width,
		    style->roles[ROLE_NORMAL] | A_BOLD);
	x = (width - draw_columns(hint)) / 2;
	if (y + 1 < height)
		draw_string(style, y + 1, x < 0 ? 0 : x, hint, width, style->roles[ROLE_NORMAL]);
}

/* The first key bound to an action, for the key line. */
bool draw_key_label(const struct tui_style *style, int y, int *x, int width, const char *key,
		    const char *label)
{
	int need = draw_columns(key) + 1 + draw_columns(label);
	if (*x + need >= width)
		return false;
	*x += draw_string(style, y, *x, key, width - *x, style->roles[ROLE_KEY]);
	*x += 1;
	*x += draw_string(style, y, *x, label, width - *x, style->roles[ROLE_NORMAL]);
	*x += 2;
	return true;
}

void draw_key_line(const struct tui_style *style, int y, int width, const enum tui_action *actions,
		   size_t count)
{
	int x = 1;
	for (size_t i = 0; i < count; i++) {
		const char *key = keys_action_key_name(actions[i]);
		const char *label = keys_action_label(actions[i]);
		if (key && label && !draw_key_label(style, y, &x, width, key, label))
			break;
	}
}
