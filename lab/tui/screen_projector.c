/* screen_projector — draws the projector layout (projector.h) with curses;
 * the layout decides every row, this file only maps roles to attributes
 * and ink to full blocks. */
#include "screen_projector.h"

#include "tui_state.h"
#include "quiz_panel.h"
#include "screen_lesson.h"

#include <stdlib.h>
#include <string.h>

#include "projector.h"

/* Each item's role on the lesson screen's roles (draw.c): the colours and,
 * without colour, the attributes. */
static const enum tui_role role_of[PROJECTOR_ROLE_COUNT] = {
	[PROJECTOR_NORMAL] = ROLE_NORMAL,
	[PROJECTOR_BORDER] = ROLE_BORDER,
	[PROJECTOR_PANE_TITLE] = ROLE_PANE_TITLE,
	[PROJECTOR_FOCUSED] = ROLE_FOCUSED,
	[PROJECTOR_CHANGED] = ROLE_CHANGED,
	[PROJECTOR_LATEST] = ROLE_LATEST,
	[PROJECTOR_BLOCKED] = ROLE_BLOCKED,
	[PROJECTOR_FAILED] = ROLE_FAILED,
	[PROJECTOR_LABEL] = ROLE_LABEL,
	[PROJECTOR_NEXT] = ROLE_NEXT,
	[PROJECTOR_DIM] = ROLE_DIM,
	[PROJECTOR_SELECTED] = ROLE_SELECTED,
	[PROJECTOR_KEY] = ROLE_KEY,
};

bool screen_projector_shown(const struct tui *tui)
{
	return !tui->play && !tui->stepper && projector_wanted(tui->style.big, COLS, LINES);
}

/* A projector washes out dim and thin text: everything bold. */
static attr_t attr_of(const struct tui_style *style, enum projector_role role)
{
	attr_t attr = style->roles[role < PROJECTOR_ROLE_COUNT ? role_of[role] : ROLE_NORMAL];
	return (attr & ~(attr_t)A_DIM) | A_BOLD;
}

/* Runs of ink as full blocks; without UTF-8, as reverse-video spaces (a
 * solid cell too). Blanks are left alone. */
static void ink_draw(const struct tui_style *style, const struct projector_item *item, attr_t attr)
{
	const char *row = item->text;
	size_t length = strlen(row);
	for (size_t start = 0; start < length;) {
		if (row[start] != '#') {
			start++;
			continue;
		}
		size_t end = start;
		while (end < length && row[end] == '#')
			end++;
		int x = item->x + (int)start, run = (int)(end - start);
		if (x + run > COLS)
			run = COLS - x;
		if (run > 0 && style->utf8) {
			char blocks[PROJECTOR_TEXT_MAX * 3 + 1];
			size_t bytes = 0;
			for (int i = 0; i < run && bytes + 3 < sizeof blocks; i++) {
				memcpy(blocks + bytes, "\xe2\x96\x88", 3);   /* U+2588 FULL BLOCK */
				bytes += 3;
			}
			blocks[bytes] = '\0';
			draw_string(style, item->y, x, blocks, run, attr);
		} else if (run > 0) {
			attrset(attr | A_REVERSE);
			mvhline(item->y, x, ' ', run);
			attrset(A_NORMAL);
		}
		start = end;
	}
}

void screen_projector_draw(struct tui *tui)
{
	const struct tui_style *style = &tui->style;
	int width = COLS, height = LINES;
	struct projector_layout *layout = malloc(sizeof *layout);   /* ~90 KiB: off the stack */
	if (!layout) {
		screen_lesson_draw_view(tui, &tui->view);
		return;
	}
	int quiz_rows = quiz_panel_rows(tui, width);
	struct projector_input input = {
		.view = &tui->view,
		.width = width,
		.height = height,
		.right_side = tui->right_side,
		.focus_side = tui->focus_side,
		.selected = tui->selected,
		.utf8 = style->utf8,
		.bottom_rows = quiz_rows,
	};
	projector_build(layout, &input);
	screen_lesson_header_draw(tui, &tui->view, width);
	for (size_t i = 0; i < layout->count; i++) {
		const struct projector_item *item = &layout->items[i];
		attr_t attr = attr_of(style, item->role);
		if (item->y < 0 || item->y >= height || item->x >= width)
			continue;
		int room = width - item->x < item->width ? width - item->x : item->width;
		if (item->kind == PROJECTOR_BOX)
			draw_box(item->y, item->x, item->height, item->width,
				 style->roles[ROLE_BORDER] | A_BOLD);
		else if (item->kind == PROJECTOR_INK)
			ink_draw(style, item, attr);
		else
			draw_string(style, item->y, item->x, item->text, room, attr);
	}
	if (quiz_rows)
		quiz_panel_draw(tui, layout->bottom_y, width, quiz_rows);
	screen_lesson_key_line_draw(tui, layout->key_y, width);
	free(layout);
}
