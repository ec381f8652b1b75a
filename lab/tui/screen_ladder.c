/* screen_ladder — the wire as a ladder (sequence) diagram: draws the
 * ladder model (ladder.h), decides nothing.
 *
 *   header     as on the lesson screen
 *   lanes      each lane's side above its line: SERVER, CLIENT
 *   notes      why there are no packets, or no held segments (when so)
 *   rows       each step's call ('>' the step on screen) and, on the right,
 *              the states of the lanes' sockets after it; under the call
 *              an arrow per packet, labelled with flags, seq/ack, length
 *   held       what the kernel holds now (`wire: hold`)
 *   next       the next call
 *   key line
 *
 * The lanes keep the panes' places (the first side on the left), so a
 * packet the client sends to the server points left here as on the
 * lesson screen's wire row. The rows scroll; every step makes them follow
 * the step on screen again. */
#include "screen_ladder.h"

#include "tui_state.h"
#include "ladder.h"
#include "screen_lesson.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "export.h"
#include "i18n.h"

enum {
	LANE_MARGIN = 4,          /* columns left of the first lane and right of the last */
	MIN_LANE_GAP = 22,        /* columns between lanes: room for an arrow and a short label */
	MAX_STATE_PIECES = 48,    /* side names and states on one heading */
	LABEL_MIN_COLUMNS = 3,    /* below that an arrow goes without its label */
};

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

static const char *side_name(const struct run_info *info, int side)
{
	return side >= 0 && side < info->side_count ? info->sides[side] : "?";
}

/* ---- layout: shared by drawing and scrolling --------------------------- */

struct ladder_layout {
	int lanes_y;              /* the lanes' names */
	int notes_y, note_count;  /* why there are no packets / no held segments */
	int body_y, body_rows;    /* the rows that scroll */
	int held_y, held_rows;    /* what the kernel holds; 0 rows: nothing */
	int next_y, keys_y;
	int lanes_shown;          /* lanes that fit the width; packets to the others are text */
};

static struct ladder_layout layout_for(const struct tui *tui)
{
	const struct lesson_view *view = &tui->view;
	struct ladder_layout layout = { .lanes_y = 1, .notes_y = 2 };
	layout.keys_y = LINES - 1;
	layout.next_y = LINES - 2;
	layout.held_rows = screen_lesson_held_draw(&tui->style, view->held, 0, COLS, false);
	layout.held_y = layout.next_y - layout.held_rows;
	layout.note_count = (view->info->wire[0] ? 1 : 0) + (view->info->held[0] ? 1 : 0);
	layout.body_y = layout.notes_y + layout.note_count;
	layout.body_rows = layout.held_y - layout.body_y;
	if (layout.body_rows < 1)
		layout.body_rows = 1;
	int fit = 1 + (COLS - 1 - 2 * LANE_MARGIN) / MIN_LANE_GAP;
	layout.lanes_shown = min_int(tui->ladder.model.lane_count, fit);
	return layout;
}

static int lane_x(int lane, int shown, int width)
{
	if (shown <= 1)
		return LANE_MARGIN;
	return LANE_MARGIN + lane * (width - 1 - 2 * LANE_MARGIN) / (shown - 1);
}

/* The first row shown: while following, the end of the ladder, or the
 * step on screen's heading when its rows are more than the screen. */
static void resolve_top(struct ladder_screen *screen, int body_rows)
{
	size_t count = screen->model.count, rows = (size_t)body_rows;
	size_t last_top = count > rows ? count - rows : 0;
	if (screen->follow) {
		screen->top = last_top;
		if (screen->model.current < count && screen->model.current < screen->top)
			screen->top = screen->model.current;
	}
	if (screen->top > last_top)
		screen->top = last_top;
}

/* ---- a step's heading -------------------------------------------------- */

struct state_piece {
	const char *text;         /* a side's name or a state; borrowed */
	bool side;                /* a side's name: two spaces before it */
	bool changed;             /* a state the step entered: '*' before it */
};

/* How hard the headings squeeze their states to fit beside the calls. */
enum squeeze {
	SQUEEZE_NONE,
	SQUEEZE_ABBREVIATE,       /* ESTABLISHED as ss writes it: ESTAB */
	SQUEEZE_ONCE_A_SIDE,      /* each state once a side */
	SQUEEZE_CHANGED_SIDES,    /* only the sides that entered a state: the others read as on
	                             the row above */
	SQUEEZE_COUNT
};

static const char *state_text(const struct lab_socket *socket, enum squeeze squeeze)
{
	const char *text = lab_socket_state_text(socket);
	/* ss's short name: the one state much longer than the others. */
	if (squeeze >= SQUEEZE_ABBREVIATE && strcmp(text, "ESTABLISHED") == 0)
		return "ESTAB";
	return text;
}

static bool side_entered_state(const struct ladder_row *row, int side)
{
	for (size_t i = 0; row->snapshot && i < row->snapshot->count; i++)
		if (row->snapshot->sockets[i]->side == side && row->snapshot->sockets[i]->state != 0
		    && ladder_state_entered(row->before, row->snapshot, i))
			return true;
	return false;
}

/* Each lane's side and the states of its sockets after the step (none
 * for a socket with no address yet), marked when the side entered it in
 * the step; returns how many pieces, *columns what they take. */
static size_t state_pieces(const struct ladder *model, int lanes, const struct run_info *info,
			   const struct ladder_row *row, enum squeeze squeeze,
			   struct state_piece *pieces, int *columns)
{
	const struct lab_snapshot *snapshot = row->snapshot;
	size_t count = 0;
	*columns = 0;
	for (int lane = 0; lane < lanes; lane++) {
		int side = model->lane_sides[lane];
		size_t side_piece = count;
		if (squeeze >= SQUEEZE_CHANGED_SIDES && !side_entered_state(row, side))
			continue;
		for (size_t i = 0; snapshot && i < snapshot->count && count + 2 <= MAX_STATE_PIECES;
		     i++) {
			const struct lab_socket *socket = snapshot->sockets[i];
			if (socket->side != side || socket->state == 0)
				continue;
			const char *text = state_text(socket, squeeze);
			bool changed = ladder_state_entered(row->before, snapshot, i);
			if (squeeze >= SQUEEZE_ONCE_A_SIDE) {
				bool seen = false;
				for (size_t k = side_piece + 1; k < count && !seen; k++)
					if (strcmp(pieces[k].text, text) == 0) {
						pieces[k].changed |= changed;
						seen = true;
					}
				if (seen)
					continue;
			}
			if (count == side_piece)
				pieces[count++] =
					(struct state_piece){ .text = side_name(info, side),
							      .side = true };
			pieces[count++] = (struct state_piece){ .text = text, .changed = changed };
		}
	}
	for (size_t i = 0; i < count; i++)
		*columns += (pieces[i].side ? (i ? 2 : 0) : 1) + (pieces[i].changed ? 1 : 0)
			+ draw_columns(pieces[i].text);
	return count;
}

/* The least squeeze that fits every heading's states beside its call, so
 * a state reads the same on every row. */
static enum squeeze squeeze_for(struct tui *tui, const struct ladder_layout *layout, int width)
{
	const struct ladder *model = &tui->ladder.model;
	enum squeeze needed = SQUEEZE_NONE;
	struct state_piece pieces[MAX_STATE_PIECES];
	for (size_t i = 0; i < model->count; i++) {
		const struct ladder_row *row = &model->rows[i];
		if (row->kind != LADDER_STEP)
			continue;
		char call[400];
		ladder_heading_text(&tui->view, row, call, sizeof call);
		int room = width - 1 - (1 + draw_columns(call) + 2), columns;
		for (enum squeeze squeeze = needed; squeeze < SQUEEZE_COUNT; squeeze++) {
			state_pieces(model, layout->lanes_shown, tui->view.info, row, squeeze,
				     pieces, &columns);
			needed = squeeze;
			if (columns <= room)
				break;
		}
	}
	return needed;
}

static void heading_draw(struct tui *tui, const struct ladder_layout *layout,
			 const struct ladder_row *row, enum squeeze squeeze, int y, int width)
{
	const struct tui_style *style = &tui->style;
	const struct lesson_view *view = &tui->view;
	bool current = row->step == view->step;
	char call[400];
	ladder_heading_text(view, row, call, sizeof call);
	int right = width - 1;
	int call_columns = draw_string(style, y, 1, call, right - 1,
				       style->roles[current ? ROLE_LATEST : ROLE_PANE_TITLE]);

	/* A heading that still does not fit cuts its states at the edge. */
	struct state_piece pieces[MAX_STATE_PIECES];
	int columns = 0, room = right - (1 + call_columns + 2);
	size_t count = state_pieces(&tui->ladder.model, layout->lanes_shown, view->info, row,
				    squeeze, pieces, &columns);
	if (room <= 0)
		return;
	int x = right - min_int(columns, room);
	for (size_t i = 0; i < count && x < right; i++) {
		int gap = pieces[i].side ? (i ? 2 : 0) : 1;
		x += gap;
		if (pieces[i].side) {
			x += draw_string(style, y, x, pieces[i].text, right - x,
					 style->roles[ROLE_DIM]);
			continue;
		}
		attr_t attr = style->roles[pieces[i].changed ? ROLE_CHANGED : ROLE_KEY];
		if (pieces[i].changed && x < right)
			x += draw_string(style, y, x, "*", right - x, attr);
		if (x < right)
			x += draw_string(style, y, x, pieces[i].text, right - x, attr);
	}
}

/* ---- a packet ---------------------------------------------------------- */

/* One end of a packet as the ladder shows it, "?" when not known. */
static struct lab_address_shown packet_end_text(const struct lab_address *address)
{
	struct lab_address_shown end = lab_address_shown(address);
	if (lab_address_is(address, LAB_ADDRESS_EMPTY))
		text_copy(end.text, sizeof end.text, "?");
	return end;
}

/* A packet whose ends are not two lanes shown: its sides and addresses. */
static void packet_text_draw(struct tui *tui, const struct ladder_row *row, int y, int width,
			     attr_t attr)
{
	const struct run_info *info = tui->view.info;
	const struct wire_packet *packet = row->packet;
	char label[200], text[sizeof label + 2 * NAME_MAX_LEN + 2 * TEXT_ADDRESS_MAX + 16];
	ladder_packet_label(packet, LABEL_PAYLOAD, label, sizeof label);
	snprintf(text, sizeof text, "%s -> %s  %s   (%s -> %s)", side_name(info, packet->from_side),
		 side_name(info, packet->to_side), label, packet_end_text(&packet->from).text,
		 packet_end_text(&packet->to).text);
	screen_lesson_arrows_draw(&tui->style, y, 3, text, width - 4, attr);
}

/* "│<──── SYN seq 0 ─────│": the line, the head at the receiving lane, the
 * label in the middle, as much of it as fits and never over the head. */
static void packet_draw(struct tui *tui, const struct ladder_layout *layout,
			const struct ladder_row *row, int y, int width)
{
	const struct tui_style *style = &tui->style;
	bool current = row->step == tui->view.step;
	attr_t attr = style->roles[current ? ROLE_LATEST : ROLE_NORMAL];
	int shown = layout->lanes_shown;
	if (row->from_lane < 0 || row->to_lane < 0 || row->from_lane >= shown
	    || row->to_lane >= shown || row->from_lane == row->to_lane) {
		packet_text_draw(tui, row, y, width,
				 style->roles[current ? ROLE_LATEST : ROLE_DIM]);
		return;
	}
	attrset(style->roles[ROLE_BORDER]);
	for (int lane = 0; lane < shown; lane++)
		mvaddch(y, lane_x(lane, shown, width), ACS_VLINE);
	int low = min_int(row->from_lane, row->to_lane), high = row->from_lane + row->to_lane - low;
	int left = lane_x(low, shown, width), right = lane_x(high, shown, width);
	int span = right - left - 1;
	attrset(attr);
	mvhline(y, left + 1, ACS_HLINE, span);
	for (int lane = low + 1; lane < high; lane++)
		mvaddch(y, lane_x(lane, shown, width), ACS_PLUS);
	if (row->to_lane > row->from_lane)
		mvaddch(y, right - 1, '>');
	else
		mvaddch(y, left + 1, '<');
	attrset(A_NORMAL);

	/* The head, a dash and a space on either side stay the arrow's. */
	int room = span - 6;
	char label[200];
	for (int detail = LABEL_PAYLOAD; detail >= LABEL_FLAGS; detail--) {
		ladder_packet_label(row->packet, (enum ladder_label)detail, label, sizeof label);
		if (draw_columns(label) <= room)
			break;
	}
	if (room < LABEL_MIN_COLUMNS)
		return;
	int columns = min_int(draw_columns(label), room);
	int x = left + 1 + (span - columns - 2) / 2;
	draw_string(style, y, x, " ", 1, attr);
	draw_string(style, y, x + 1, label, columns, attr);
	draw_string(style, y, x + 1 + columns, " ", 1, attr);
}

/* ---- the screen -------------------------------------------------------- */

static void lanes_draw(struct tui *tui, const struct ladder_layout *layout, int width)
{
	const struct tui_style *style = &tui->style;
	const struct ladder *model = &tui->ladder.model;
	for (int lane = 0; lane < layout->lanes_shown; lane++) {
		char name[NAME_MAX_LEN];
		snprintf(name, sizeof name, "%s",
			 side_name(tui->view.info, model->lane_sides[lane]));
		for (char *c = name; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
		int columns = draw_columns(name);
		int x = lane_x(lane, layout->lanes_shown, width) - columns / 2;
		x = x < 1 ? 1 : x + columns > width - 1 ? width - 1 - columns : x;
		draw_string(style, layout->lanes_y, x, name, width - 1 - x,
			    style->roles[ROLE_PANE_TITLE]);
	}
}

static void notes_draw(struct tui *tui, const struct ladder_layout *layout, int width)
{
	const struct tui_style *style = &tui->style;
	const struct run_info *info = tui->view.info;
	int y = layout->notes_y;
	const char *notes[2][2] = { { _("wire"), info->wire }, { _("held"), info->held } };
	for (int i = 0; i < 2; i++) {
		if (!notes[i][1][0])
			continue;
		draw_string(style, y, 1, notes[i][0], 7, style->roles[ROLE_LABEL]);
		draw_string(style, y++, 9, notes[i][1], width - 10, style->roles[ROLE_DIM]);
	}
}

static void bottom_draw(struct tui *tui, const struct ladder_layout *layout, int width)
{
	const struct tui_style *style = &tui->style;
	const struct lesson_view *view = &tui->view;
	const struct ladder_screen *screen = &tui->ladder;
	screen_lesson_held_draw(&tui->style, view->held, layout->held_y, width, true);
	draw_string(style, layout->next_y, 1, _("next"), 7, style->roles[ROLE_LABEL]);
	int x = 9 + draw_string(style, layout->next_y, 9, view->next, width - 10,
				style->roles[view->at_end ? ROLE_DIM : ROLE_NEXT]);
	if (view->next_is_wake)
		draw_string(style, layout->next_y, x, _("  (space)"), width - 1 - x,
			    style->roles[ROLE_DIM]);

	if (screen_lesson_status_draw(tui, layout->keys_y, width))
		return;
	x = 1;
	/* Free play has no steps to walk: a typed call is its next step. */
	const char *pairs[][2] = {
		{ tui->play ? ":" : "space", tui->play ? _("type a call") : _("next") },
		{ tui->play ? "" : "b", _("back") },
		{ "Up Down ^U ^D", _("scroll") },
		{ "w", _("panes") },
		{ "?", _("help") },
		{ "e", _("export") },
	};
	/* The scroll position first: "e export" gives way to it. */
	size_t count = screen->model.count, rows = (size_t)layout->body_rows;
	char where[96] = "";
	int columns = 0;
	if (count > rows) {
		size_t last = screen->top + rows < count ? screen->top + rows : count;
		snprintf(where, sizeof where, _("%zu-%zu of %zu"), screen->top + 1, last, count);
		columns = draw_columns(where);
	}
	size_t pair_count = sizeof pairs / sizeof pairs[0];
	for (size_t i = 0; i < pair_count; i++) {
		/* the scroll position first, a space before it */
		int room = columns ? width - columns - 2 : width;
		if (pairs[i][0][0]
		    && !draw_key_label(style, layout->keys_y, &x, room, pairs[i][0], pairs[i][1]))
			break;
	}
	if (columns && x + columns < width)
		draw_string(style, layout->keys_y, width - 1 - columns, where, columns,
			    style->roles[ROLE_DIM]);
}

void screen_ladder_draw(struct tui *tui)
{
	const struct tui_style *style = &tui->style;
	struct ladder_screen *screen = &tui->ladder;
	const struct ladder *model = &screen->model;
	int width = COLS;
	struct ladder_layout layout = layout_for(tui);
	screen_lesson_header_draw(tui, &tui->view, width);
	lanes_draw(tui, &layout, width);
	notes_draw(tui, &layout, width);
	resolve_top(screen, layout.body_rows);
	enum squeeze squeeze = squeeze_for(tui, &layout, width);
	if (model->count == 0)
		draw_string(style, layout.body_y, 3,
			    _("no step has run yet: space runs step 1, and its packets show here"),
			    width - 4, style->roles[ROLE_DIM]);
	for (int i = 0; i < layout.body_rows && screen->top + (size_t)i < model->count; i++) {
		const struct ladder_row *row = &model->rows[screen->top + (size_t)i];
		if (row->kind == LADDER_STEP)
			heading_draw(tui, &layout, row, squeeze, layout.body_y + i, width);
		else
			packet_draw(tui, &layout, row, layout.body_y + i, width);
	}
	bottom_draw(tui, &layout, width);
}

/* ---- opening, following, scrolling ------------------------------------- */

void screen_ladder_refresh(struct tui *tui)
{
	struct ladder_screen *screen = &tui->ladder;
	if (!screen->open || !tui->session)
		return;
	if (ladder_build(&screen->model, &tui->view, tui->session, tui->right_side) < 0)
		tui_message(tui, "%s", _("out of memory: the ladder may be incomplete"));
	/* A step (or its second half) brings its packets into sight; a
	 * refresh of the same position (a TIME-WAIT countdown) leaves the
	 * scrolling alone. */
	if (screen->built_step != tui->view.step || screen->built_half != tui->view.half) {
		screen->follow = true;
		screen->built_step = tui->view.step;
		screen->built_half = tui->view.half;
	}
}

void screen_ladder_close(struct tui *tui)
{
	ladder_done(&tui->ladder.model);
	tui->ladder = (struct ladder_screen){ .open = false };
}

void screen_ladder_toggle(struct tui *tui)
{
	if (tui->ladder.open) {
		screen_ladder_close(tui);
		return;
	}
	tui->ladder.open = true;
	tui->ladder.follow = true;
	tui->ladder.built_step = tui->view.step;
	tui->ladder.built_half = tui->view.half;
	screen_ladder_refresh(tui);
}

static void scroll_by(struct tui *tui, long rows)
{
	struct ladder_screen *screen = &tui->ladder;
	resolve_top(screen, layout_for(tui).body_rows);   /* from where following put it */
	screen->follow = false;
	if (rows < 0)
		screen->top = screen->top > (size_t)-rows ? screen->top - (size_t)-rows : 0;
	else
		screen->top += (size_t)rows;   /* drawing stops it at the end */
}

static long page_rows(struct tui *tui)
{
	int rows = layout_for(tui).body_rows;
	return rows > 2 ? rows - 1 : 1;   /* a line of the last page stays in sight */
}

static void ladder_up(struct tui *tui)
{
	scroll_by(tui, -1);
}

static void ladder_down(struct tui *tui)
{
	scroll_by(tui, 1);
}

static void ladder_page_up(struct tui *tui)
{
	scroll_by(tui, -page_rows(tui));
}

static void ladder_page_down(struct tui *tui)
{
	scroll_by(tui, page_rows(tui));
}

static void ladder_first(struct tui *tui)
{
	tui->ladder.follow = false;
	tui->ladder.top = 0;
}

static void ladder_last(struct tui *tui)
{
	tui->ladder.follow = true;
}

static void ladder_no_panes(struct tui *tui)
{
	tui_message(tui, "%s", _("the ladder has no panes: w or Esc shows them again"));
}

/* A file name in the current directory that no file has yet:
 * socklab-01-echo-step6.svg, then -2, -3, ... Returns 0, or -1. */
static int export_file_name(const struct lesson_view *view, char *out, size_t size)
{
	struct stat st;
	for (int copy = 1; copy < 100; copy++) {
		char suffix[16] = "";
		if (copy > 1)
			snprintf(suffix, sizeof suffix, "-%d", copy);
		snprintf(out, size, "socklab-%s-step%zu%s.svg",
			 view->info->lesson[0] ? view->info->lesson : "play", view->step, suffix);
		if (stat(out, &st) < 0 && errno == ENOENT)
			return 0;
	}
	return -1;
}

/* e: the ladder as it stands (the steps and half on screen) as SVG. */
static void ladder_export(struct tui *tui)
{
	size_t count;
	const struct lab_event *events = session_events(tui->session, &count);
	/* The events on screen; copies that borrow what the log owns. */
	struct lab_event *shown = malloc((count ? count : 1) * sizeof *shown);
	char path[160], *err = NULL;
	if (!shown) {
		tui_message(tui, "%s", _("export: out of memory"));
		return;
	}
	size_t shown_count = 0;
	for (size_t i = 0; i < count; i++)
		if (view_event_shown(&tui->view, &events[i]))
			shown[shown_count++] = events[i];
	if (export_file_name(&tui->view, path, sizeof path) < 0)
		tui_message(tui, "%s",
			    _("export: socklab-*.svg files fill the current directory; move "
			      "some away"));
	else if (export_write(path, EXPORT_SVG, tui->view.info, shown, shown_count, NULL, &err) < 0)
		tui_message(tui, _("export: %s"), err ? err : _("out of memory"));
	else
		tui_message(tui, _("exported the ladder to %s (socklab export writes a whole run)"),
			    path);
	free(err);
	free(shown);
}

const tui_handler screen_ladder_handlers[ACTION_COUNT] = {
	[ACTION_UP] = ladder_up,
	[ACTION_DOWN] = ladder_down,
	[ACTION_PAGE_UP] = ladder_page_up,
	[ACTION_PAGE_DOWN] = ladder_page_down,
	[ACTION_FIRST] = ladder_first,
	[ACTION_LAST] = ladder_last,
	[ACTION_WIRE] = screen_ladder_toggle,
	[ACTION_CLOSE] = screen_ladder_toggle,
	[ACTION_QUIT] = screen_ladder_toggle,
	[ACTION_FOCUS] = ladder_no_panes,
	[ACTION_FOCUS_BACK] = ladder_no_panes,
	[ACTION_OPEN] = ladder_no_panes,
	[ACTION_EXPORT] = ladder_export,
};
