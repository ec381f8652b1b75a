/* screen_lesson — draws the lesson screen from the view; decides nothing.
 *
 *   header     lesson, step k/n (part 1/2), sandbox
 *   panes      SERVER and one other side: calls so far, then sockets
 *   others     one line for each further side (lessons with 3+ sides)
 *   wire       the packets the step sent, and what the kernel holds now
 *   text       the step's explanation, failed expectations, python, next
 *   key line   keys, or the go-to prompt, or a message
 *
 * Each piece is laid out by one function that can measure without drawing
 * (a cursor with draw off), so the layout and the drawing never disagree. */
#include "screen_lesson.h"

#include "tui_state.h"
#include "command_line.h"
#include "quiz_panel.h"

#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "fit.h"
#include "plain.h"
#include "sandbox.h"
#include "socket_text.h"
#include "wrap.h"
#include "i18n.h"

enum {
	MAX_PANE_SOCKETS = 128,   /* sockets listed in one pane; more say "+N more" */
	MAX_TEXT_LINES = 256,     /* wrapped lines of explanation considered */
	MIN_PANE_HEIGHT = 7,      /* box included */
	MIN_SAY_ROWS = 3,
	EARLIER_CALLS_KEPT = 2,   /* calls a squeezed pane still shows */
};

/* ---- a cursor that measures or draws ----------------------------------- */

struct cursor {
	const struct tui_style *style;
	int top, left, width;     /* the area */
	int max_rows;             /* rows it may draw; beyond, it only counts */
	bool draw;
	attr_t fill;              /* a whole-row background (the selected socket), or 0 */
	int row, column;
	int filled_row;
	bool cut;                 /* some text met the area's right edge and lost the rest */
};

static struct cursor cursor_at(const struct tui_style *style, int top, int left, int width,
			       int max_rows, bool draw)
{
	return (struct cursor){ .style = style, .top = top, .left = left, .width = width,
				.max_rows = max_rows, .draw = draw, .filled_row = -1 };
}

static bool cursor_visible(const struct cursor *cursor)
{
	return cursor->draw && cursor->row < cursor->max_rows;
}

static void cursor_fill_row(struct cursor *cursor)
{
	if (!cursor->fill || !cursor_visible(cursor) || cursor->filled_row == cursor->row)
		return;
	attrset(cursor->fill);
	mvhline(cursor->top + cursor->row, cursor->left, ' ', cursor->width);
	attrset(A_NORMAL);
	cursor->filled_row = cursor->row;
}

static void cursor_text(struct cursor *cursor, const char *text, size_t len, attr_t attr)
{
	cursor_fill_row(cursor);
	int room = cursor->width - cursor->column;
	int columns = wrap_columns(text, len);
	cursor->cut |= columns > room;
	if (columns > room)
		columns = room;
	if (cursor_visible(cursor) && columns > 0)
		draw_text(cursor->style, cursor->top + cursor->row, cursor->left + cursor->column,
			  text, len, columns, attr | cursor->fill);
	cursor->column += columns;
}

static void cursor_string(struct cursor *cursor, const char *text, attr_t attr)
{
	cursor_text(cursor, text, strlen(text), attr);
}

/* A C string cut with "..." to `columns`, then padded to it. */
static void cursor_field(struct cursor *cursor, const char *text, int columns, attr_t attr)
{
	cursor_fill_row(cursor);
	int room = cursor->width - cursor->column;
	if (columns > room)
		columns = room;
	if (columns <= 0)
		return;
	if (cursor_visible(cursor))
		draw_string(cursor->style, cursor->top + cursor->row, cursor->left + cursor->column,
			    text, columns, attr | cursor->fill);
	cursor->column += columns;
}

static void cursor_move_to(struct cursor *cursor, int column)
{
	cursor_fill_row(cursor);
	if (column > cursor->column)
		cursor->column = column < cursor->width ? column : cursor->width;
}

static void cursor_newline(struct cursor *cursor)
{
	cursor->row++;
	cursor->column = 0;
}

static attr_t role(const struct cursor *cursor, enum tui_role which)
{
	return cursor->style->roles[which];
}

/* ---- sockets ----------------------------------------------------------- */

/* Column widths of one pane's socket table. */
struct socket_columns {
	int who, local, peer, state;
	bool one_line;            /* every socket fits on one line */
	bool short_peer;          /* ":48416" for a peer on the local host */
};

static int pieces_columns(const struct socket_piece *pieces, int count)
{
	int columns = 0;
	for (int i = 0; i < count; i++)
		columns += (i ? draw_columns(socket_text_separator()) : 1)
			+ draw_columns(pieces[i].text);
	return columns;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* The local address as the table shows it, "-" for none given. */
static struct lab_address_shown local_text(const struct lab_socket *socket)
{
	struct lab_address_shown local = lab_address_shown(&socket->local);
	if (lab_address_is(&socket->local, LAB_ADDRESS_EMPTY))
		text_copy(local.text, sizeof local.text, "-");
	return local;
}

static struct socket_columns socket_columns_for(const struct lab_snapshot *snapshot,
						const size_t *indexes, size_t count, int width)
{
	/* At least as wide as the headings, in the language shown. */
	struct socket_columns columns = {
		.who = draw_columns(_("fd")), .local = draw_columns(_("local")),
		.peer = draw_columns(_("peer")), .state = draw_columns(_("state")), .one_line = true
	};
	int full_peer = columns.peer, longest_tail = 0;
	for (size_t i = 0; i < count; i++) {
		const struct lab_socket *socket = snapshot->sockets[indexes[i]];
		char who[48];
		struct socket_piece pieces[SOCKET_PIECES_MAX];
		socket_text_who(socket, who, sizeof who);
		columns.who = max_int(columns.who, draw_columns(who));
		columns.local = max_int(columns.local, draw_columns(local_text(socket).text));
		full_peer = max_int(full_peer, draw_columns(socket_text_peer(socket, false).text));
		columns.peer =
			max_int(columns.peer, draw_columns(socket_text_peer(socket, true).text));
		columns.state = max_int(columns.state, draw_columns(plain_state_text(socket)));
		longest_tail = max_int(longest_tail,
				       pieces_columns(pieces, socket_text_pieces(socket, pieces)));
	}
	/* The full peer address when the first line has room for it. */
	if (1 + columns.who + 1 + columns.local + 1 + full_peer <= width) {
		columns.peer = full_peer;
	} else {
		columns.short_peer = true;
	}
	int one_line = 1 + columns.who + 1 + columns.local + 1 + columns.peer + 2 + columns.state
		+ longest_tail;
	columns.one_line = one_line <= width;
	return columns;
}

static void socket_heading(struct cursor *cursor, const struct socket_columns *columns)
{
	attr_t dim = role(cursor, ROLE_DIM);
	cursor_string(cursor, " ", dim);
	cursor_field(cursor, _("fd"), columns->who, dim);
	cursor_string(cursor, " ", dim);
	cursor_field(cursor, _("local"), columns->local, dim);
	cursor_string(cursor, " ", dim);
	cursor_field(cursor, _("peer"), columns->peer, dim);
	if (columns->one_line) {
		cursor_string(cursor, "  ", dim);
		cursor_field(cursor, _("state"), columns->state, dim);
		cursor_string(cursor, " ", dim);
		cursor_string(cursor, _("queues"), dim);
	}
	cursor_newline(cursor);
}

/* A piece that does not fit the line goes on the next one, indented; one
 * longer than a line wraps. After another piece on the same line it
 * follows the separator, so two notes never read as one. */
static void socket_piece_out(struct cursor *cursor, const struct socket_piece *piece, attr_t attr,
			     bool after_piece)
{
	const int indent = 3;
	const char *separator = after_piece ? socket_text_separator() : " ";
	int columns = draw_columns(piece->text);
	if (cursor->column + draw_columns(separator) + columns <= cursor->width) {
		cursor_string(cursor, separator, attr);
		cursor_string(cursor, piece->text, attr);
		return;
	}
	struct wrap_line lines[4];
	size_t count = wrap_text(piece->text, cursor->width - indent, lines, 4);
	for (size_t i = 0; i < count && i < 4; i++) {
		cursor_newline(cursor);
		cursor_move_to(cursor, indent);
		cursor_text(cursor, lines[i].start, lines[i].len, attr);
	}
}

static void socket_out(struct cursor *cursor, const struct socket_columns *columns,
		       const struct lab_socket *socket)
{
	char who[48];
	socket_text_who(socket, who, sizeof who);
	attr_t normal = role(cursor, ROLE_NORMAL), changed = role(cursor, ROLE_CHANGED),
	       dim = role(cursor, ROLE_DIM);
	bool is_new = (socket->changes & (CHANGE_NEW | CHANGE_FD)) != 0;
	bool state_changed = (socket->changes & CHANGE_STATE) != 0;
	cursor_string(cursor, socket->changes ? "*" : " ", socket->changes ? changed : normal);
	cursor_field(cursor, who, columns->who, is_new ? changed : normal);
	cursor_string(cursor, " ", normal);
	attr_t address = socket->changes & CHANGE_ADDRESS ? changed : normal;
	cursor_field(cursor, local_text(socket).text, columns->local, address);
	cursor_string(cursor, " ", normal);
	cursor_field(cursor, socket_text_peer(socket, columns->short_peer).text, columns->peer,
		     address);
	if (columns->one_line) {
		cursor_string(cursor, " ", normal);
	} else {
		cursor_newline(cursor);
		cursor_move_to(cursor, 2);
	}
	cursor_string(cursor, state_changed ? "*" : " ", state_changed ? changed : normal);
	cursor_field(cursor, plain_state_text(socket), columns->state,
		     state_changed ? changed : role(cursor, ROLE_KEY));
	struct socket_piece pieces[SOCKET_PIECES_MAX];
	int count = socket_text_pieces(socket, pieces);
	for (int i = 0; i < count; i++)
		socket_piece_out(cursor, &pieces[i],
				 pieces[i].changed ? changed
					 : i == 0  ? normal
						   : dim,
				 i > 0);
	cursor_newline(cursor);
}

/* ---- calls ------------------------------------------------------------- */

static void call_out(struct cursor *cursor, const struct view_call *call)
{
	attr_t normal = role(cursor, ROLE_NORMAL);
	attr_t text_attr = call->latest ? role(cursor, ROLE_LATEST) : normal;
	attr_t result_attr = call->blocked ? role(cursor, ROLE_BLOCKED)
			     : call->failed ? role(cursor, ROLE_FAILED)
			     : call->latest ? role(cursor, ROLE_LATEST)
					    : normal;
	char result[220];
	snprintf(result, sizeof result, "%s%s", call->woke ? _("woke: ") : "", call->result);
	int result_columns = draw_columns(result);
	/* "-1 EISCONN (Transport endpoint is already connected)": the errno's
	 * name stays, its description goes when the pane is too narrow. */
	char *description = strstr(result, " (");
	if (result_columns > cursor->width - 3 && description && call->result[0] == '-') {
		*description = '\0';
		result_columns = draw_columns(result);
	}
	int text_columns = draw_columns(call->text);
	cursor_string(cursor, call->latest ? ">" : " ", text_attr);
	if (1 + text_columns + 2 + result_columns > cursor->width) {
		cursor_field(cursor, call->text, cursor->width - 1, text_attr);
		cursor_newline(cursor);
		int column = cursor->width - result_columns;
		cursor_move_to(cursor, column < 3 ? 3 : column);
		cursor_field(cursor, result, cursor->width - cursor->column, result_attr);
	} else {
		cursor_string(cursor, call->text, text_attr);
		cursor_move_to(cursor, cursor->width - result_columns);
		cursor_string(cursor, result, result_attr);
	}
	cursor_newline(cursor);
}

static int call_rows(const struct tui_style *style, const struct view_call *call, int width)
{
	struct cursor measure = cursor_at(style, 0, 0, width, 0, false);
	call_out(&measure, call);
	return measure.row;
}

/* ---- a pane ------------------------------------------------------------ */

struct pane {
	int side;
	int y, x, height, width;      /* the box */
	bool focused;
	size_t sockets[MAX_PANE_SOCKETS];
	size_t socket_count;          /* may exceed MAX_PANE_SOCKETS */
	struct socket_columns columns;
};

static void pane_prepare(const struct tui *tui, const struct lesson_view *view, struct pane *pane,
			 int side, int x, int width)
{
	pane->side = side;
	pane->x = x;
	pane->width = width;
	pane->focused = tui->focus_side == side;
	pane->socket_count = view_side_sockets(view, side, pane->sockets, MAX_PANE_SOCKETS);
	size_t listed =
		pane->socket_count < MAX_PANE_SOCKETS ? pane->socket_count : MAX_PANE_SOCKETS;
	pane->columns = socket_columns_for(view->snapshot, pane->sockets, listed, width - 2);
}

/* Rows of the socket part: heading and sockets, or one line saying none. */
static int pane_socket_rows(const struct tui *tui, const struct lesson_view *view,
			    const struct pane *pane)
{
	struct cursor measure = cursor_at(&tui->style, 0, 0, pane->width - 2, 0, false);
	size_t listed =
		pane->socket_count < MAX_PANE_SOCKETS ? pane->socket_count : MAX_PANE_SOCKETS;
	if (listed == 0)
		return 1;
	socket_heading(&measure, &pane->columns);
	for (size_t i = 0; i < listed; i++)
		socket_out(&measure, &pane->columns, view->snapshot->sockets[pane->sockets[i]]);
	return measure.row + (pane->socket_count > listed ? 1 : 0);
}

static int pane_call_rows(const struct tui *tui, const struct view_side *side, int width,
			  size_t from)
{
	int rows = 0;
	for (size_t i = from; i < side->call_count; i++)
		rows += call_rows(&tui->style, &side->calls[i], width);
	return rows;
}

/* The first of the latest calls that fit in `room` rows, counting the
 * line that says how many earlier ones are hidden. */
static size_t first_call_shown(const struct tui *tui, const struct view_side *side, int width,
			       int room)
{
	size_t first = side->call_count;
	int used = 0;
	while (first > 0) {
		int rows = call_rows(&tui->style, &side->calls[first - 1], width);
		int hidden_line = first > 1 ? 1 : 0;
		if (used + rows + hidden_line > room)
			break;
		used += rows;
		first--;
	}
	return first;
}

/* Rows inside the box the pane can do with: its sockets, and its latest
 * calls (earlier ones give way to the explanation). */
static int pane_need(const struct tui *tui, const struct lesson_view *view, const struct pane *pane)
{
	const struct view_side *side = &view->sides[pane->side];
	size_t kept_from =
		side->call_count > EARLIER_CALLS_KEPT ? side->call_count - EARLIER_CALLS_KEPT : 0;
	int calls = pane_call_rows(tui, side, pane->width - 2, kept_from) + (kept_from ? 1 : 0);
	int gap = side->call_count ? 1 : 0;
	return calls + gap + pane_socket_rows(tui, view, pane) + (side->output[0] ? 1 : 0);
}

/* The last row of a program's pane: what it printed, its newest columns. */
static void pane_output_draw(const struct tui *tui, const struct pane *pane, const char *output)
{
	const struct tui_style *style = &tui->style;
	const char *label = _("out");
	int label_columns = draw_columns(label);
	int y = pane->y + pane->height - 2, x = pane->x + 2,
	    room = pane->width - 4 - (label_columns + 1);
	if (room <= 0)
		return;
	size_t len = strlen(output);   /* escaped: ASCII, a byte a column */
	const char *tail = len > (size_t)room ? output + len - (size_t)room : output;
	draw_string(style, y, x, label, label_columns, style->roles[ROLE_LABEL]);
	draw_string(style, y, x + label_columns + 1, tail, room, style->roles[ROLE_NORMAL]);
}

static void pane_title(struct tui *tui, const struct lesson_view *view, const struct pane *pane)
{
	const struct tui_style *style = &tui->style;
	const struct view_side *side = &view->sides[pane->side];
	char title[NAME_MAX_LEN + 8];
	size_t len = 0;
	title[len++] = ' ';
	for (const char *c = side->name; *c && len < sizeof title - 2; c++)
		title[len++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
	title[len++] = ' ';
	title[len] = '\0';
	int x = pane->x + 2, right = pane->x + pane->width - 2;
	x += draw_string(style, pane->y, x, title, right - x,
			 style->roles[pane->focused ? ROLE_FOCUSED : ROLE_PANE_TITLE]);
	if (side->blocked)
		x += draw_string(style, pane->y, x + 1, _(" blocked in the kernel "), right - x - 1,
				 style->roles[ROLE_BLOCKED])
			+ 1;
	else if (side->program) {
		/* Which program this pane is: the script's name says it best. */
		const char *shown = side->program;
		for (const char *word = side->program; *word;) {
			size_t len = strcspn(word, " \t");
			const char *slash = memrchr(word, '/', len);
			if (len > 3
			    && (memcmp(word + len - 3, ".py", 3) == 0
				|| !strchr(side->program, ' ')))
				shown = slash ? slash + 1 : word;
			word += len;
			word += strspn(word, " \t");
		}
		char label[64];
		snprintf(label, sizeof label, " %.*s ", (int)strcspn(shown, " \t"), shown);
		x += draw_string(style, pane->y, x + 1, label, right - x - 1,
				 style->roles[ROLE_DIM])
			+ 1;
	}
	/* The hint whole or not at all: cut, it would read as something else. */
	const char *hint = _(" Enter: details ");
	if (pane->focused && draw_columns(hint) <= right - x - 1)
		draw_string(style, pane->y, x + 1, hint, right - x - 1, style->roles[ROLE_DIM]);
}

static int socket_rows(const struct tui *tui, const struct pane *pane,
		       const struct lab_socket *socket)
{
	struct cursor measure = cursor_at(&tui->style, 0, 0, pane->width - 2, 0, false);
	socket_out(&measure, &pane->columns, socket);
	return measure.row;
}

/* Which of the pane's listed sockets fit in `room` rows: all of them, or
 * those the step changed first (the ones the step is about), then the
 * others in order, leaving a row for "+N more". Returns how many are hidden. */
static size_t pane_sockets_shown(const struct tui *tui, const struct lesson_view *view,
				 const struct pane *pane, int room, bool *shown)
{
	size_t listed =
		pane->socket_count < MAX_PANE_SOCKETS ? pane->socket_count : MAX_PANE_SOCKETS;
	int rows[MAX_PANE_SOCKETS], total = 0;
	for (size_t i = 0; i < listed; i++) {
		rows[i] = socket_rows(tui, pane, view->snapshot->sockets[pane->sockets[i]]);
		total += rows[i];
		shown[i] = true;
	}
	if (total <= room)
		return 0;
	room -= 1;   /* the "+N more" row */
	size_t hidden = listed;
	for (size_t i = 0; i < listed; i++)
		shown[i] = false;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < listed; i++) {
			bool changed = view->snapshot->sockets[pane->sockets[i]]->changes != 0;
			if (shown[i] || changed != (pass == 0) || rows[i] > room)
				continue;
			shown[i] = true;
			room -= rows[i];
			hidden--;
		}
	return hidden;
}

static void pane_draw(struct tui *tui, const struct lesson_view *view, struct pane *pane)
{
	const struct tui_style *style = &tui->style;
	const struct view_side *side = &view->sides[pane->side];
	int inner_width = pane->width - 2, inner_height = pane->height - 2;
	draw_box(pane->y, pane->x, pane->height, pane->width, style->roles[ROLE_BORDER]);
	pane_title(tui, view, pane);
	if (inner_height <= 0)
		return;

	/* Sockets first claim their rows; the calls take what is left, the
	 * latest ones, with a line saying how many earlier calls are hidden. */
	int output_rows = side->output[0] && inner_height > 1 ? 1 : 0;
	if (output_rows)
		pane_output_draw(tui, pane, side->output);
	inner_height -= output_rows;
	int socket_rows = pane_socket_rows(tui, view, pane);
	int gap = side->call_count ? 1 : 0;
	size_t first = first_call_shown(tui, side, inner_width, inner_height - socket_rows - gap);
	/* Squeezed: the socket table's heading separates well enough. */
	if (first && gap) {
		gap = 0;
		first = first_call_shown(tui, side, inner_width, inner_height - socket_rows);
	}
	struct cursor cursor =
		cursor_at(style, pane->y + 1, pane->x + 1, inner_width, inner_height, true);
	if (first) {
		char earlier[96];
		snprintf(earlier, sizeof earlier, "  ");
		snprintf(earlier + 2, sizeof earlier - 2,
			 ngettext("(%zu earlier call)", "(%zu earlier calls)", first), first);
		cursor_string(&cursor, earlier, style->roles[ROLE_DIM]);
		cursor_newline(&cursor);
	}
	for (size_t i = first; i < side->call_count; i++)
		call_out(&cursor, &side->calls[i]);
	/* The sockets sit under the calls. */
	cursor.row += gap;
	cursor.column = 0;
	size_t listed =
		pane->socket_count < MAX_PANE_SOCKETS ? pane->socket_count : MAX_PANE_SOCKETS;
	if (listed == 0) {
		cursor_string(&cursor, view->step == 0 ? _("  no socket yet") : _("  no socket"),
			      style->roles[ROLE_DIM]);
		return;
	}
	socket_heading(&cursor, &pane->columns);
	bool shown[MAX_PANE_SOCKETS];
	size_t hidden = pane_sockets_shown(tui, view, pane, inner_height - cursor.row, shown);
	for (size_t i = 0; i < listed; i++) {
		if (!shown[i])
			continue;
		const struct lab_socket *socket = view->snapshot->sockets[pane->sockets[i]];
		cursor.fill = pane->focused && i == tui->selected ? style->roles[ROLE_SELECTED] : 0;
		socket_out(&cursor, &pane->columns, socket);
		cursor.fill = 0;
	}
	hidden += pane->socket_count - listed;
	if (hidden) {
		char more[96];
		snprintf(more, sizeof more, "  ");
		snprintf(more + 2, sizeof more - 2, _("+%zu more"), hidden);
		cursor_string(&cursor, more, style->roles[ROLE_DIM]);
	}
}

/* ---- the rest of the screen -------------------------------------------- */

/* "host network (reason); lesson ports mapped" loses its reason first. */
static void sandbox_short(const char *sandbox, int max_columns, char *out, size_t size)
{
	snprintf(out, size, "%s", sandbox);
	if (draw_columns(out) <= max_columns)
		return;
	const char *open = strchr(sandbox, '(');
	const char *close = open ? strrchr(open, ')') : NULL;
	if (open && close) {
		int before = (int)(open - sandbox);
		while (before > 0 && sandbox[before - 1] == ' ')
			before--;
		snprintf(out, size, "%.*s%s", before, sandbox, close + 1);
	}
}

void screen_lesson_header_draw(struct tui *tui, const struct lesson_view *view, int width)
{
	const struct tui_style *style = &tui->style;
	attr_t title_attr = style->roles[ROLE_TITLE];
	const char *brand = "socklab";
	char number[8], step[96], sandbox[sizeof view->info->sandbox + 64];
	const char *name;
	view_lesson_number(view->info->lesson, number, sizeof number, &name);
	const char *title = view->info->title[0] ? view->info->title : name;
	/* Free play and stepped programs have no steps ahead: they count the calls. */
	bool open_ended = view->free_play || view->stepping;
	size_t length = 0;
	if (open_ended)
		text_append(step, sizeof step, &length,
			    ngettext("%zu call", "%zu calls", view->step), view->step);
	else
		text_append(step, sizeof step, &length, "step %zu/%zu", view->step,
			    view->step_count);
	if (view->half_count == 2 && !open_ended)
		text_append(step, sizeof step, &length, " part %d/2", view->half);
	if (view->info->unchecked)   /* --hold: the lesson's words assume a free wire */
		text_append(step, sizeof step, &length, "%s", _("  held"));
	if (view->failures_total)
		text_append(step, sizeof step, &length, _("  %zu FAILED"), view->failures_total);
	char quiz[32];
	quiz_panel_header(tui, quiz, sizeof quiz);
	if (quiz[0] && !open_ended)
		text_append(step, sizeof step, &length, "  %s", quiz);
	int step_columns = draw_columns(step), title_columns = draw_columns(title);
	int number_columns = number[0] ? draw_columns(number) + 1 : 0;
	/* Everything, or without the brand, or with the sandbox note and then
	 * the title cut: the step counter always shows whole. */
	int fixed = 1 + number_columns + 2 + step_columns + 2 + 1;
	char described[sizeof view->info->sandbox + 64];
	sandbox_description_shown(view->info->sandbox, described, sizeof described);
	sandbox_short(described, width - fixed - title_columns - 9, sandbox, sizeof sandbox);
	int sandbox_columns = draw_columns(sandbox);
	/* The brand only when it fits at every step, so the title never jumps. */
	char widest[64];
	int widest_columns =
		snprintf(widest, sizeof widest, "step %zu/%zu part 2/2%s%s", view->step_count,
			 view->step_count, quiz[0] ? "  " : "", quiz);
	bool with_brand = fixed - step_columns + max_int(step_columns, widest_columns) + 9
			+ title_columns + sandbox_columns
		<= width;
	int room = width - fixed - (with_brand ? 9 : 0);
	if (title_columns + sandbox_columns > room) {
		int sandbox_room = room - title_columns;
		if (sandbox_room < 16)
			sandbox_room = sandbox_columns < 16 ? sandbox_columns : 16;
		if (sandbox_columns > sandbox_room)
			sandbox_columns = sandbox_room;
		title_columns = room - sandbox_columns;
	}
	attrset(title_attr);
	mvhline(0, 0, ' ', width);
	int x = 1;
	if (with_brand)
		x += draw_string(style, 0, x, brand, 7, title_attr | A_BOLD) + 2;
	if (number[0])
		x += draw_string(style, 0, x, number, number_columns, title_attr | A_BOLD) + 1;
	draw_string(style, 0, x, title, title_columns, title_attr);
	int right = width - 1 - sandbox_columns;
	draw_string(style, 0, right, sandbox, sandbox_columns, title_attr);
	right -= step_columns + 2;
	draw_string(style, 0, right, step, step_columns,
		    view->failures_total ? title_attr | A_BOLD : title_attr);
}

/* One line for a side that has no pane: its last call and its sockets' states. */
static void other_side_draw(struct tui *tui, const struct lesson_view *view, int side, int y,
			    int width)
{
	const struct tui_style *style = &tui->style;
	const struct view_side *pane = side >= 0 ? &view->sides[side] : NULL;
	struct cursor cursor = cursor_at(style, y, 1, width - 2, 1, true);
	char label[NAME_MAX_LEN + 4];
	const char *other = _("other");
	int label_columns = draw_columns(other) + 1;   /* "other:" */
	for (int s = 0; s < view->side_count; s++)
		label_columns = max_int(label_columns, draw_columns(view->sides[s].name) + 1);
	snprintf(label, sizeof label, "%s:", pane ? pane->name : other);
	cursor_field(&cursor, label, label_columns,
		     style->roles[tui->focus_side == side ? ROLE_FOCUSED : ROLE_PANE_TITLE]);
	cursor_string(&cursor, " ", style->roles[ROLE_NORMAL]);
	if (pane && pane->call_count) {
		const struct view_call *call = &pane->calls[pane->call_count - 1];
		cursor_string(&cursor, call->latest ? ">" : " ", style->roles[ROLE_LATEST]);
		cursor_string(&cursor, call->text,
			      style->roles[call->latest ? ROLE_LATEST : ROLE_NORMAL]);
		cursor_string(&cursor, " = ", style->roles[ROLE_NORMAL]);
		cursor_string(&cursor, call->result,
			      style->roles[call->blocked ? ROLE_BLOCKED : ROLE_NORMAL]);
	}
	size_t indexes[16];
	size_t count = view_side_sockets(view, side, indexes, 16);
	for (size_t i = 0; i < count && i < 16; i++) {
		const struct lab_socket *socket = view->snapshot->sockets[indexes[i]];
		char who[48];
		socket_text_who(socket, who, sizeof who);
		cursor_string(&cursor, i ? ", " : "   ", style->roles[ROLE_NORMAL]);
		attr_t attr = style->roles[socket->changes ? ROLE_CHANGED : ROLE_NORMAL];
		cursor_string(&cursor, socket->changes ? "*" : "", attr);
		cursor_string(&cursor, who, attr);
		cursor_string(&cursor, " ", attr);
		cursor_string(&cursor, plain_state_text(socket), attr);
		char queues[64] = "";
		if (socket->state == TCP_LISTEN)
			snprintf(queues, sizeof queues, " accept %u/%u", socket->recv_queue,
				 socket->send_queue);
		else if (socket->state != 0)
			snprintf(queues, sizeof queues, " recv-q %u send-q %u", socket->recv_queue,
				 socket->send_queue);
		cursor_string(
			&cursor, queues,
			style->roles[socket->changes & CHANGE_QUEUE ? ROLE_CHANGED : ROLE_DIM]);
	}
	/* Cut at the screen's edge: the row says there is more (the ladder and
	 * the details page have it all). */
	if (cursor.cut && cursor.width > 3)
		draw_text(style, y, cursor.left + cursor.width - 3, "...", 3, 3,
			  style->roles[ROLE_DIM]);
}

/* The key line of the lesson screen, in the order people need them: at
 * 80 columns it ends after quit (? lists the rest). */
static const enum tui_action lesson_key_line[] = {
	ACTION_NEXT, ACTION_BACK, ACTION_WIRE, ACTION_PREDICT, ACTION_HELP, ACTION_QUIT,
	ACTION_RESTART, ACTION_AUTOPLAY, ACTION_GOTO, ACTION_FOCUS,
};

/* Free play's, while the command line is closed. */
static const enum tui_action play_key_line[] = {
	ACTION_COMMAND, ACTION_FOCUS, ACTION_RESTART, ACTION_WIRE, ACTION_HELP, ACTION_QUIT,
};

/* Stepping programs: run the call shown, or show the other program's. */
static const enum tui_action step_key_line[] = {
	ACTION_NEXT, ACTION_SWITCH_SIDE, ACTION_FOCUS, ACTION_RESTART,
	ACTION_WIRE, ACTION_HELP,        ACTION_QUIT,
};

/* With several tasks of a side held, the keys that pick which one the
 * next key releases take the pane key's place. */
static void step_key_line_draw(struct tui *tui, int y, int width)
{
	int x = 1;
	for (size_t i = 0; i < sizeof step_key_line / sizeof step_key_line[0]; i++) {
		enum tui_action action = step_key_line[i];
		bool picking = action == ACTION_FOCUS && tui->view.next_held > 1;
		const char *key = picking ? "Tab Up Down" : keys_action_key_name(action);
		const char *label = picking ? _("task") : keys_action_label(action);
		if (key && label && !draw_key_label(&tui->style, y, &x, width, key, label))
			break;
	}
}

bool screen_lesson_status_draw(struct tui *tui, int y, int width)
{
	const struct tui_style *style = &tui->style;
	if (tui->prompt_open) {
		char prompt[160];
		snprintf(prompt, sizeof prompt,
			 _(" go to step (0-%zu), Enter to go, Esc to cancel: %s_"),
			 tui->view.step_count, tui->prompt);
		draw_string(style, y, 0, prompt, width, style->roles[ROLE_NEXT]);
		return true;
	}
	if (tui->message[0]) {
		draw_string(style, y, 1, tui->message, width - 2, style->roles[ROLE_FAILED]);
		return true;
	}
	if (tui->autoplay) {
		char pace[160];
		snprintf(pace, sizeof pace,
			 _(" autoplay: a step every %d.%d s   + faster  - slower  a stop  q quit"),
			 tui->autoplay_ms / 1000, tui->autoplay_ms % 1000 / 100);
		draw_string(style, y, 0, pace, width, style->roles[ROLE_NEXT]);
		return true;
	}
	if (tui->play && tui->command.open) {
		command_line_key_line(tui, y, width);
		return true;
	}
	return false;
}

void screen_lesson_key_line_draw(struct tui *tui, int y, int width)
{
	const struct tui_style *style = &tui->style;
	if (screen_lesson_status_draw(tui, y, width))
		return;
	if (tui->play) {
		draw_key_line(style, y, width, play_key_line,
			      sizeof play_key_line / sizeof play_key_line[0]);
		return;
	}
	if (tui->stepper) {
		step_key_line_draw(tui, y, width);
		return;
	}
	/* With three sides or more the switch key follows back; where the
	 * line is short, autoplay gives way (? lists it). */
	enum tui_action actions[sizeof lesson_key_line / sizeof lesson_key_line[0] + 3];
	size_t count = 0;
	bool switching = tui->view.side_count > 2, narrow = width < 100;
	/* --hold: releasing comes right after stepping, autoplay and go to give way. */
	bool holding = tui->view.info && tui->view.info->unchecked;
	for (size_t i = 0; i < sizeof lesson_key_line / sizeof lesson_key_line[0]; i++) {
		enum tui_action action = lesson_key_line[i];
		if ((action == ACTION_AUTOPLAY && (switching || holding) && narrow)
		    || (action == ACTION_GOTO && holding))
			continue;
		actions[count++] = action;
		if (action == ACTION_NEXT && holding) {
			actions[count++] = ACTION_RELEASE;
			actions[count++] = ACTION_DROP;
		}
		if (action == ACTION_BACK && switching)
			actions[count++] = ACTION_SWITCH_SIDE;
	}
	draw_key_line(style, y, width, actions, count);
}

/* Rows of wrapped failures, each "FAILED  " and its words. */
static int failures_out(struct cursor *cursor, const struct lesson_view *view)
{
	int start = cursor->row;
	const char *failed = _("FAILED");
	const int indent = draw_columns(failed) + 2;   /* "FAILED  " */
	for (size_t i = 0; i < view->failure_count; i++) {
		struct wrap_line lines[8];
		size_t count = wrap_text(view->failures[i], cursor->width - indent, lines, 8);
		for (size_t k = 0; k < count && k < 8; k++) {
			cursor_string(cursor, k == 0 ? failed : "",
				      cursor->style->roles[ROLE_FAILED]);
			cursor_move_to(cursor, indent);
			cursor_text(cursor, lines[k].start, lines[k].len,
				    cursor->style->roles[ROLE_NORMAL]);
			cursor_newline(cursor);
		}
	}
	return cursor->row - start;
}

/* Rows of wrapped evidence, each "why: " and what the lab measured. */
static int evidence_out(struct cursor *cursor, const struct lesson_view *view)
{
	int start = cursor->row;
	const char *why = _("why:");
	const int indent = draw_columns(why) + 1;   /* "why: " */
	for (size_t i = 0; i < view->evidence_count; i++) {
		struct wrap_line lines[8];
		size_t count = wrap_text(view->evidence[i], cursor->width - indent, lines, 8);
		for (size_t k = 0; k < count && k < 8; k++) {
			cursor_string(cursor, k == 0 ? why : "", cursor->style->roles[ROLE_LABEL]);
			cursor_move_to(cursor, indent);
			cursor_text(cursor, lines[k].start, lines[k].len,
				    cursor->style->roles[ROLE_NORMAL]);
			cursor_newline(cursor);
		}
	}
	return cursor->row - start;
}

/* ---- the wire ---------------------------------------------------------- */

/* `text` with " -> " as " → " where the terminal has the arrow. */
static void arrows_text(const struct tui_style *style, const char *text, char *out, size_t size)
{
	size_t length = 0;
	for (const char *c = text; *c && length + 8 < size;) {
		if (style->utf8 && strncmp(c, " -> ", 4) == 0) {
			length += (size_t)snprintf(out + length, size - length, " → ");
			c += 4;
		} else {
			out[length++] = *c++;
		}
	}
	out[length] = '\0';
}

int screen_lesson_arrows_draw(const struct tui_style *style, int y, int x, const char *text,
			      int max_columns, attr_t attr)
{
	char shown[512];
	arrows_text(style, text, shown, sizeof shown);
	return draw_string(style, y, x, shown, max_columns, attr);
}

enum { HELD_MAX_ROWS = 2 };   /* segments held at once: one or two on loopback, a
                                 resent one a third */

int screen_lesson_held_draw(const struct tui_style *style, const char *held, int y, int width,
			    bool draw)
{
	if (!held || !held[0])
		return 0;
	char shown[512];
	arrows_text(style, held, shown, sizeof shown);
	struct wrap_line lines[HELD_MAX_ROWS];
	size_t count = wrap_text(shown, width - 10, lines, HELD_MAX_ROWS);
	int rows = count < HELD_MAX_ROWS ? (int)count : HELD_MAX_ROWS;
	if (!draw)
		return rows;
	/* What the student acts on: a release() or drop() step lets it go. */
	draw_string(style, y, 1, _("held"), 7, style->roles[ROLE_BLOCKED]);
	for (int i = 0; i < rows; i++) {
		bool cut = i == rows - 1 && count > (size_t)rows;
		size_t len = cut ? strlen(lines[i].start) : lines[i].len;
		char line[512];
		snprintf(line, sizeof line, "%.*s", (int)len, lines[i].start);
		draw_string(style, y + i, 9, line, width - 10, style->roles[ROLE_KEY]);
	}
	return rows;
}

/* One packet of the wire row, placed as the panes are: "←SYN" went to
 * the left pane's side from the right one's, "SYN-ACK→" the other way;
 * between sides the panes do not pair, "client2→server ACK". */
static void wire_token(const struct tui_style *style, const struct lesson_view *view,
		       const struct wire_packet *packet, int left_side, int right_side, char *out,
		       size_t size)
{
	const char *to_left = style->utf8 ? "←" : "<-", *to_right = style->utf8 ? "→" : "->";
	char label[64];
	ladder_packet_label(packet, LABEL_FLAGS, label, sizeof label);
	bool paired = left_side != right_side;
	if (paired && packet->from_side == right_side && packet->to_side == left_side) {
		snprintf(out, size, "%s%s", to_left, label);
	} else if (paired && packet->from_side == left_side && packet->to_side == right_side) {
		snprintf(out, size, "%s%s", label, to_right);
	} else {
		const struct run_info *info = view->info;
		int from = packet->from_side, to = packet->to_side;
		snprintf(out, size, "%s%s%s %s",
			 from >= 0 && from < info->side_count ? info->sides[from] : "?", to_right,
			 to >= 0 && to < info->side_count ? info->sides[to] : "?", label);
	}
}

/* What the kernel's timers did in the step on screen: the first copy of a
 * held segment it resent ("resent"), the first expectation a timer
 * explained ("timer"); the rest, and the whole sentences, behind t. */
static const char *timer_line(const struct lesson_view *view, bool resent)
{
	for (size_t e = 0; e < view->step_event_count; e++) {
		const struct lab_event *event = &view->step_events[e];
		if (resent && event->resent[0])
			return lab_event_resent_shown(event);
		if (!resent && event->timer_ended_count)
			return event->timers_ended[0];
	}
	return NULL;
}

/* Rows the wire takes: its packets (or why there are none), what the
 * kernel holds, or why it holds nothing in a `wire: hold` lesson, and
 * what the kernel's timers did. */
static int wire_rows(const struct tui *tui, const struct lesson_view *view, int width)
{
	return (view->step_packet_count || view->wire_note[0] ? 1 : 0)
		+ screen_lesson_held_draw(&tui->style, view->held, 0, width, false)
		+ (view->info->held[0] ? 1 : 0) + (timer_line(view, true) ? 1 : 0)
		+ (timer_line(view, false) ? 1 : 0);
}

/* "wire    ←SYN  SYN-ACK→  ←ACK      w: the ladder": as many packets as
 * fit, then how many more. */
static void wire_packets_draw(struct tui *tui, const struct lesson_view *view, int y, int width)
{
	const struct tui_style *style = &tui->style;
	const int start = 9, right = width - 1;
	draw_string(style, y, 1, _("wire"), 7, style->roles[ROLE_LABEL]);
	if (!view->step_packet_count) {
		draw_string(style, y, start, view->wire_note, right - start,
			    style->roles[ROLE_DIM]);
		return;
	}
	int x = start;
	size_t drawn = 0;
	for (size_t e = 0; e < view->step_event_count; e++) {
		const struct lab_event *event = &view->step_events[e];
		for (size_t k = 0; k < event->packet_count; k++, drawn++) {
			char token[160], more[32];
			wire_token(style, view, &event->packets[k], 0, tui->right_side, token,
				   sizeof token);
			size_t left = view->step_packet_count - drawn - 1;
			int gap = drawn ? 2 : 0;
			int need = gap + draw_columns(token);
			if (left)
				snprintf(more, sizeof more, _("  +%zu more"), left);
			int more_columns = left ? draw_columns(more) : 0;
			if (x + need + more_columns > right) {
				snprintf(more, sizeof more, gap ? _("  +%zu more") : _("+%zu more"),
					 left + 1);
				draw_string(style, y, x, more, right - x, style->roles[ROLE_DIM]);
				return;
			}
			x += gap;
			x += draw_string(style, y, x, token, right - x, style->roles[ROLE_NORMAL]);
		}
	}
	const char *hint = _("w: the ladder");
	if (x + 6 + draw_columns(hint) <= right)
		draw_string(style, y, right - draw_columns(hint), hint, draw_columns(hint),
			    style->roles[ROLE_DIM]);
}

/* The wire's rows from y; returns how many it drew. */
static int wire_draw(struct tui *tui, const struct lesson_view *view, int y, int width)
{
	const struct tui_style *style = &tui->style;
	int row = y;
	if (view->step_packet_count || view->wire_note[0])
		wire_packets_draw(tui, view, row++, width);
	row += screen_lesson_held_draw(&tui->style, view->held, row, width, true);
	if (view->info->held[0]) {
		draw_string(style, row, 1, _("held"), 7, style->roles[ROLE_LABEL]);
		draw_string(style, row++, 9, view->info->held, width - 10, style->roles[ROLE_DIM]);
	}
	for (int resent = 1; resent >= 0; resent--) {
		const char *line = timer_line(view, resent);
		if (!line)
			continue;
		draw_string(style, row, 1, resent ? _("resent") : _("timer"), 7,
			    style->roles[ROLE_LABEL]);
		draw_string(style, row++, 9, line, width - 10, style->roles[ROLE_DIM]);
	}
	return row - y;
}

struct text_layout {
	struct wrap_line say[MAX_TEXT_LINES];
	size_t say_count;        /* lines the explanation needs */
	int failure_rows;        /* failed expectations, then evidence */
};

static void text_panel_draw(struct tui *tui, const struct lesson_view *view,
			    const struct text_layout *text, int y, int say_rows, int width)
{
	const struct tui_style *style = &tui->style;
	y += wire_draw(tui, view, y, width);
	struct cursor cursor = cursor_at(style, y, 1, width - 2, say_rows, true);
	for (int i = 0; i < say_rows && (size_t)i < text->say_count; i++) {
		bool cut = i == say_rows - 1 && text->say_count > (size_t)say_rows;
		const struct wrap_line *line = &text->say[i];
		size_t len = line->len;
		if (cut) {
			/* Room for the pointer to the whole text. */
			const char *more = _(" ... (t: all of it)");
			int keep = cursor.width - draw_columns(more);
			while (len > 0 && wrap_columns(line->start, len) > keep)
				len--;
			while (len > 0 && ((unsigned char)line->start[len] & 0xc0) == 0x80)
				len--;   /* not inside a character */
			cursor_text(&cursor, line->start, len, style->roles[ROLE_NORMAL]);
			cursor_string(&cursor, more, style->roles[ROLE_DIM]);
		} else {
			cursor_text(&cursor, line->start, len, style->roles[ROLE_NORMAL]);
		}
		cursor_newline(&cursor);
	}
	cursor.max_rows = say_rows + text->failure_rows;
	failures_out(&cursor, view);
	evidence_out(&cursor, view);
	int row = y + say_rows + text->failure_rows;
	if (view->python) {
		draw_string(style, row, 1, view->source_label ? view->source_label : "python", 7,
			    style->roles[ROLE_LABEL]);
		draw_string(style, row, 9, view->python, width - 10, style->roles[ROLE_NORMAL]);
	}
	row++;
	draw_string(style, row, 1, _("next"), 7, style->roles[ROLE_LABEL]);
	int x = 9
		+ draw_string(style, row, 9, view->next, width - 10,
			      style->roles[view->at_end ? ROLE_DIM : ROLE_NEXT]);
	if (view->next_is_wake)
		draw_string(style, row, x, _("  (space)"), width - 1 - x, style->roles[ROLE_DIM]);
}

enum { PANE_MIN_WIDTH = 40 };

static bool side_has_pane(const int *sides, int count, int side)
{
	for (int i = 0; i < count; i++)
		if (sides[i] == side)
			return true;
	return false;
}

/* Which sides get a pane at `width`: all in order where they fit, else
 * the first, the second pane's side, then the others in order while they
 * fit. Returns how many. */
static int pane_sides_for(const struct tui *tui, const struct lesson_view *view, int width,
			  int *sides)
{
	int fit = width / PANE_MIN_WIDTH;
	if (fit < 2)
		fit = 2;
	int count = 0;
	sides[count++] = 0;
	if (view->side_count <= fit) {
		/* Every side has a pane: in the lesson's order. */
		for (int side = 1; side < view->side_count; side++)
			sides[count++] = side;
		return count;
	}
	if (view->side_count >= 2 && count < fit)
		sides[count++] = tui->right_side;
	for (int side = 1; side < view->side_count && count < fit; side++)
		if (!side_has_pane(sides, count, side))
			sides[count++] = side;
	return count;
}

void screen_lesson_draw_view(struct tui *tui, const struct lesson_view *view)
{
	struct text_layout text;
	const struct tui_style *style = &tui->style;
	int width = COLS, height = LINES;
	screen_lesson_header_draw(tui, view, width);

	/* The panes: the first side on the left, then the chosen other side,
	 * then the others in order while panes of PANE_MIN_WIDTH fit (three
	 * at 120 columns); the rest get a line each. */
	struct pane panes[LESSON_MAX_SIDES];
	int pane_sides[LESSON_MAX_SIDES];
	int pane_count = pane_sides_for(tui, view, width, pane_sides);
	for (int i = 0, x = 0; i < pane_count; i++) {
		int pane_width = i + 1 < pane_count ? width / pane_count : width - x;
		pane_prepare(tui, view, &panes[i], pane_sides[i], x, pane_width);
		x += pane_width;
	}
	int others = view->side_count - pane_count;
	bool unplaced = view_side_sockets(view, -1, NULL, 0) > 0;
	int other_rows = others + (unplaced ? 1 : 0);

	/* The text under them. */
	text.say_count = wrap_text(view->say, width - 2, text.say, MAX_TEXT_LINES);
	if (text.say_count > MAX_TEXT_LINES)
		text.say_count = MAX_TEXT_LINES;
	struct cursor measure = cursor_at(style, 0, 1, width - 2, 0, false);
	text.failure_rows = failures_out(&measure, view) + evidence_out(&measure, view);
	int fixed_rows = 2 + wire_rows(tui, view, width);   /* the wire, python, next */
	int command_rows = tui->play ? 2 : 0;  /* the command line, and the caret or
	                                          hint under it */
	int quiz_rows = quiz_panel_rows(tui, width);
	int rest = height - 2 - other_rows - fixed_rows - command_rows - quiz_rows;
	if (text.failure_rows > rest / 3)
		text.failure_rows = rest / 3;
	rest -= text.failure_rows;

	/* The explanation gets its rows and the panes the rest, down to what
	 * they can do with (earlier calls give way first); below that the
	 * explanation is cut and points to the whole text (t). */
	int least = MIN_PANE_HEIGHT;
	for (int i = 0; i < pane_count; i++)
		least = max_int(least, pane_need(tui, view, &panes[i]) + 2);
	int say_wanted = (int)text.say_count;
	int say_rows, pane_height;
	if (least + say_wanted <= rest) {
		say_rows = say_wanted;
	} else {
		/* At 80x24 and above the explanation keeps FIT_SAY_ROWS (fit.h: what
		 * `socklab check` promises a lesson's text); the panes give way and
		 * mark what they hide. */
		int say_floor = height >= 24 ? FIT_SAY_ROWS : MIN_SAY_ROWS;
		int say_least = say_wanted < say_floor ? say_wanted : say_floor;
		say_rows = rest - least;
		if (say_rows < say_least)
			say_rows = say_least;
	}
	if (say_rows > rest - MIN_PANE_HEIGHT)
		say_rows = max_int(rest - MIN_PANE_HEIGHT, 0);
	pane_height = rest - say_rows;

	for (int i = 0; i < pane_count; i++) {
		panes[i].y = 1;
		panes[i].height = pane_height;
		pane_draw(tui, view, &panes[i]);
	}
	int y = 1 + pane_height;
	for (int side = 1; side < view->side_count; side++)
		if (!side_has_pane(pane_sides, pane_count, side))
			other_side_draw(tui, view, side, y++, width);
	if (unplaced)
		other_side_draw(tui, view, -1, y++, width);
	text_panel_draw(tui, view, &text, y, say_rows, width);
	if (tui->play)
		command_line_draw(tui, height - 1 - command_rows, width);
	if (quiz_rows)
		quiz_panel_draw(tui, height - 1 - command_rows - quiz_rows, width, quiz_rows);
	screen_lesson_key_line_draw(tui, height - 1, width);
}

void screen_lesson_draw(struct tui *tui)
{
	screen_lesson_draw_view(tui, &tui->view);
}
