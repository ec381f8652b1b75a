/* projector — lays the lesson view out for a projector: rows, roles and
 * large glyphs, measured here so the drawing only copies them out. */
#include "projector.h"

#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "bigfont.h"
#include "ladder.h"
#include "packet_flags.h"
#include "plain.h"
#include "socket_text.h"
#include "wrap.h"
#include "i18n.h"

enum {
	CALL_ROWS = 7,           /* the call in words, in large glyphs, a blank row */
	SOCKET_BIG_ROWS = 1 + BIGFONT_ROWS + 1 + 1,   /* who, state, queues, a gap */
	ARROW_ROWS = 3,
	PACKET_BIG_ROWS = BIGFONT_ROWS + 1 + ARROW_ROWS + 1,   /* flags, numbers, arrow, gap */
	PACKET_MEDIUM_ROWS = 1 + ARROW_ROWS + 1,
	MAX_SOCKETS = 32,        /* listed in one pane; more say "+N more" */
	MIN_PANE_ROWS = 10,      /* below, the large call line gives its rows to the panes */
};

bool projector_wanted(bool asked, int width, int height)
{
	if (asked)
		return width >= PROJECTOR_MIN_WIDTH && height >= PROJECTOR_MIN_HEIGHT;
	return width >= PROJECTOR_AUTO_WIDTH && height >= PROJECTOR_AUTO_HEIGHT;
}

/* ---- items --------------------------------------------------------------- */

static struct projector_item *add(struct projector_layout *layout, enum projector_kind kind,
				  enum projector_role role, int y, int x, int width)
{
	if (layout->count >= PROJECTOR_MAX_ITEMS || width <= 0) {
		layout->full = layout->full || width > 0;
		return NULL;
	}
	struct projector_item *item = &layout->items[layout->count++];
	*item = (struct projector_item){
		.kind = kind, .role = role, .y = y, .x = x, .width = width, .height = 1
	};
	return item;
}

static int columns(const char *text)
{
	return wrap_columns(text, strlen(text));
}

static bool is_continuation(unsigned char byte)
{
	return (byte & 0xc0) == 0x80;
}

/* The length of `text` without its last character. */
static size_t utf8_before(const char *text, size_t len)
{
	do
		len--;
	while (len > 0 && is_continuation((unsigned char)text[len]));
	return len;
}

/* Bytes of `text` (at most `len`) that fill one item: whole UTF-8
 * characters only, so a cut never leaves half a character behind. */
static size_t item_bytes(const char *text, size_t len)
{
	size_t room = PROJECTOR_TEXT_MAX - 1;
	if (len <= room)
		return len;
	while (room > 0 && is_continuation((unsigned char)text[room]))
		room--;
	return room;
}

/* Normal type from `len` bytes of `text`; returns the columns it takes
 * (at most `width`). A line longer than an item holds (a wide projector,
 * Chinese at three bytes a character) goes on in further items along the
 * row, each starting where the one before ended. */
static int slice_at(struct projector_layout *layout, enum projector_role role, int y, int x,
		    int width, const char *text, size_t len)
{
	int used = 0;
	do {
		size_t bytes = item_bytes(text, len);
		struct projector_item *item = add(layout, PROJECTOR_TEXT, role, y, x + used,
						  width - used);
		if (!item || bytes == 0)
			break;
		memcpy(item->text, text, bytes);
		item->text[bytes] = '\0';
		used += wrap_columns(text, bytes);
		text += bytes;
		len -= bytes;
	} while (len > 0 && used < width);
	return used < width ? used : width;
}

/* Normal type; returns the columns it takes (at most `width`). */
static int text_at(struct projector_layout *layout, enum projector_role role, int y, int x,
		   int width, const char *text)
{
	return slice_at(layout, role, y, x, width, text, strlen(text));
}

/* `text` in large glyphs at `scale`: BIGFONT_ROWS rows of ink from y. */
static void ink_text(struct projector_layout *layout, enum projector_role role, int y, int x,
		     const char *text, int scale)
{
	int width = bigfont_width(text, scale);
	for (int row = 0; row < BIGFONT_ROWS; row++) {
		struct projector_item *item = add(layout, PROJECTOR_INK, role, y + row, x, width);
		if (item)
			bigfont_row(text, scale, row, item->text, sizeof item->text);
	}
}

/* The largest scale (2, 1) at which `text` fits `width` columns; 0: none. */
static int scale_for(const char *text, int width)
{
	for (int scale = 2; scale >= 1; scale--)
		if (bigfont_width(text, scale) <= width
		    && bigfont_width(text, scale) < PROJECTOR_TEXT_MAX)
			return scale;
	return 0;
}

/* A thick arrow `width` wide, ARROW_ROWS high, pointing right or left:
 *        ##           ##
 *   ##########  or ##########
 *        ##           ##          */
static void ink_arrow(struct projector_layout *layout, int y, int x, int width, bool right)
{
	if (width < 6)
		return;
	for (int row = 0; row < ARROW_ROWS; row++) {
		struct projector_item *item =
			add(layout, PROJECTOR_INK, PROJECTOR_KEY, y + row, x, width);
		if (!item)
			continue;
		int length = width < PROJECTOR_TEXT_MAX ? width : PROJECTOR_TEXT_MAX - 1;
		for (int c = 0; c < length; c++) {
			int from_head = right ? length - 1 - c : c;
			bool ink = row == 1 || from_head == 2 || from_head == 3;
			item->text[c] = ink ? '#' : ' ';
		}
		item->text[length] = '\0';
	}
}

/* ---- the call of the step ------------------------------------------------ */

/* The call the step is about: the woken one in a step's second half, else
 * the step's own (the last marked latest). */
static const struct view_call *step_call(const struct lesson_view *view, int *side)
{
	const struct view_call *found = NULL;
	for (int s = 0; s < view->side_count; s++)
		for (size_t i = 0; i < view->sides[s].call_count; i++) {
			const struct view_call *call = &view->sides[s].calls[i];
			if (call->latest && (!found || call->woke || !found->woke)) {
				found = call;
				*side = s;
			}
		}
	return found;
}

/* The result without its words: "-1 ECONNREFUSED", "4", "12". */
static void short_result(const char *result, char *out, size_t size)
{
	size_t keep = strlen(result);
	const char *cuts[] = { " (", ", ", " \"" };
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		const char *at = strstr(result, cuts[i]);
		if (at && (size_t)(at - result) < keep)
			keep = (size_t)(at - result);
	}
	snprintf(out, size, "%.*s", (int)keep, result);
}

static void call_area(struct projector_layout *layout, const struct lesson_view *view, int width,
		      bool large)
{
	int side = -1;
	const struct view_call *call = step_call(view, &side);
	if (!call) {
		text_at(layout, PROJECTOR_DIM, 1, 1, width - 2,
			view->step == 0 ? _("before step 1") : _("no call in this step"));
		return;
	}
	char line[PROJECTOR_TEXT_MAX + 64];
	const char *joiner = call->blocked ? " " : " = ";
	enum projector_role result_role = call->blocked ? PROJECTOR_BLOCKED
					  : call->failed ? PROJECTOR_FAILED
							 : PROJECTOR_LATEST;
	int x = 1;
	x += text_at(layout, PROJECTOR_LABEL, 1, x, width - 1 - x, view->sides[side].name);
	x += text_at(layout, PROJECTOR_LATEST, 1, x + 2, width - 3 - x,
		     call->woke ? _(">woke:") : ">")
		+ 2;
	x += text_at(layout, PROJECTOR_LATEST, 1, x + 1, width - 2 - x, call->text) + 1;
	snprintf(line, sizeof line, "%s%s", joiner, call->result);
	text_at(layout, result_role, 1, x, width - 1 - x, line);
	if (!large)
		return;
	/* The most that fits in large glyphs: the whole call and result, the
	 * result without its words, the call's name only. */
	char brief[64], name[64], candidates[3][PROJECTOR_TEXT_MAX];
	short_result(call->result, brief, sizeof brief);
	snprintf(name, sizeof name, "%.*s(...)", (int)strcspn(call->text, "("), call->text);
	snprintf(candidates[0], sizeof candidates[0], "%s%s%s", call->text, joiner, call->result);
	snprintf(candidates[1], sizeof candidates[1], "%s%s%s", call->text, joiner, brief);
	snprintf(candidates[2], sizeof candidates[2], "%s%s%s", name, joiner, brief);
	for (int i = 0; i < 3; i++) {
		int scale = scale_for(candidates[i], width - 2);
		if (scale) {
			ink_text(layout, result_role, 2, 1, candidates[i], scale);
			return;
		}
	}
}

/* ---- a pane -------------------------------------------------------------- */

struct pane {
	int side;
	int y, x, width, height;
	size_t sockets[MAX_SOCKETS];
	size_t socket_count;          /* may exceed MAX_SOCKETS */
};

/* "ls=3  127.0.0.1:7 - 127.0.0.1:40312": who, then the addresses, each
 * with its '*' when the step changed it. Returns the columns used. */
static int socket_line(struct projector_layout *layout, const struct lab_socket *socket, int y,
		       int x, int width, bool selected)
{
	char who[64], addresses[160];
	socket_text_who(socket, who, sizeof who);
	bool is_new = (socket->changes & (CHANGE_NEW | CHANGE_FD)) != 0;
	bool moved = (socket->changes & CHANGE_ADDRESS) != 0;
	enum projector_role plain = selected ? PROJECTOR_SELECTED : PROJECTOR_NORMAL;
	int used = 0;
	if (is_new)
		used += text_at(layout, PROJECTOR_CHANGED, y, x, width, "*");
	used += text_at(layout, is_new ? PROJECTOR_CHANGED : plain, y, x + used, width - used, who);
	/* The kernel's "*" (no address; a listener's any peer) in words, so a
	 * '*' on screen always marks a change. */
	struct lab_address_shown peer_text = socket_text_peer(socket, false);
	struct lab_address_shown local_text = lab_address_shown(&socket->local);
	const char *peer = peer_text.text;
	const char *local = lab_address_is(&socket->local, LAB_ADDRESS_EMPTY)
			|| lab_address_is(&socket->local, LAB_ADDRESS_NONE)
		? _("no address")
		: local_text.text;
	if (strcmp(peer, "*") == 0)
		peer = socket->state == TCP_LISTEN ? _("any") : "-";
	snprintf(addresses, sizeof addresses, _("%s%s  peer %s"), moved ? "*" : "", local, peer);
	used += 2;
	if (used < width)
		used += text_at(layout, moved ? PROJECTOR_CHANGED : plain, y, x + used,
				width - used, addresses);
	return used;
}

/* The queues, a timer, why no fd: one line, a '*' on what changed. */
static void pieces_line(struct projector_layout *layout, const struct lab_socket *socket, int y,
			int x, int width)
{
	struct socket_piece pieces[SOCKET_PIECES_MAX];
	int count = socket_text_pieces(socket, pieces);
	int used = 0;
	for (int i = 0; i < count && used < width; i++) {
		if (i)
			used += text_at(layout, PROJECTOR_NORMAL, y, x + used, width - used,
					socket_text_separator());
		if (used < width)
			used += text_at(layout,
					pieces[i].changed ? PROJECTOR_CHANGED : PROJECTOR_NORMAL, y,
					x + used, width - used, pieces[i].text);
	}
}

/* The state in large glyphs ("*" first when it changed), or 0 rows when
 * it fits no scale. */
static void state_text(const struct lab_socket *socket, char *out, size_t size)
{
	snprintf(out, size, "%s%s", socket->changes & CHANGE_STATE ? "*" : "",
		 plain_state_text(socket));
}

static void socket_big(struct projector_layout *layout, const struct lab_socket *socket, int y,
		       int x, int width, bool selected)
{
	socket_line(layout, socket, y, x, width, selected);
	char state[64];
	state_text(socket, state, sizeof state);
	/* No TCP state yet ("-"): nothing to show large. */
	int scale = strcmp(plain_state_text(socket), "-") != 0 ? scale_for(state, width) : 0;
	bool changed = (socket->changes & CHANGE_STATE) != 0;
	if (scale)
		ink_text(layout, changed ? PROJECTOR_CHANGED : PROJECTOR_KEY, y + 1, x, state,
			 scale);
	else
		text_at(layout, changed ? PROJECTOR_CHANGED : PROJECTOR_KEY, y + 1, x, width,
			state);
	pieces_line(layout, socket, y + 1 + BIGFONT_ROWS, x, width);
}

/* A socket on one line: who, addresses, state, queues. */
static void socket_small(struct projector_layout *layout, const struct lab_socket *socket, int y,
			 int x, int width, bool selected)
{
	int used = socket_line(layout, socket, y, x, width, selected) + 2;
	char state[64];
	state_text(socket, state, sizeof state);
	if (used < width)
		used += text_at(layout,
				socket->changes & CHANGE_STATE ? PROJECTOR_CHANGED : PROJECTOR_KEY,
				y, x + used, width - used, state)
			+ 1;
	if (used < width)
		pieces_line(layout, socket, y, x + used, width - used);
}

static void call_line(struct projector_layout *layout, const struct view_call *call, int y, int x,
		      int width)
{
	enum projector_role role = call->latest ? PROJECTOR_LATEST : PROJECTOR_NORMAL;
	enum projector_role result_role = call->blocked ? PROJECTOR_BLOCKED
		: call->failed                          ? PROJECTOR_FAILED
							: role;
	int used = text_at(layout, role, y, x, width, call->latest ? ">" : " ");
	used += text_at(layout, role, y, x + used, width - used, call->text);
	char result[240];
	snprintf(result, sizeof result, "%s%s%s", call->blocked ? " " : " = ",
		 call->woke ? _("woke: ") : "", call->result);
	if (used < width)
		text_at(layout, result_role, y, x + used, width - used, result);
}

static void pane_build(struct projector_layout *layout, const struct projector_input *input,
		       const struct pane *pane)
{
	const struct lesson_view *view = input->view;
	const struct view_side *side = &view->sides[pane->side];
	bool focused = input->focus_side == pane->side;
	struct projector_item *box =
		add(layout, PROJECTOR_BOX, PROJECTOR_BORDER, pane->y, pane->x, pane->width);
	if (box)
		box->height = pane->height;
	char title[80];
	snprintf(title, sizeof title, " %s ", side->name);
	for (char *c = title; *c; c++)
		*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
	int x = pane->x + 2, right = pane->x + pane->width - 2;
	x += text_at(layout, focused ? PROJECTOR_FOCUSED : PROJECTOR_PANE_TITLE, pane->y, x,
		     right - x, title);
	if (side->blocked)
		text_at(layout, PROJECTOR_BLOCKED, pane->y, x + 1, right - x - 1,
			_(" blocked in the kernel "));
	else if (focused)
		text_at(layout, PROJECTOR_DIM, pane->y, x + 1, right - x - 1,
			_(" Enter: details "));

	int inner_x = pane->x + 2, inner_width = pane->width - 4, top = pane->y + 1,
	    rows = pane->height - 2;
	size_t listed = pane->socket_count < MAX_SOCKETS ? pane->socket_count : MAX_SOCKETS;
	/* The sockets in large type while they leave two rows for the calls
	 * (a state too wide for the pane in normal type there); else a line
	 * each; those that do not fit say how many. */
	bool big = true;
	int calls_least = side->call_count ? 2 : 0;
	int per_socket = big ? SOCKET_BIG_ROWS : 1;
	if (big && (int)listed * SOCKET_BIG_ROWS - 1 > rows - calls_least) {
		big = false;
		per_socket = 1;
	}
	int socket_rows = listed ? (int)listed * per_socket - (big ? 1 : 0) : 1;
	size_t shown = listed;
	if (socket_rows > rows - calls_least) {
		shown = (size_t)(rows - calls_least - 1 > 0 ? rows - calls_least - 1 : 0);
		socket_rows = (int)shown + 1;
	}
	/* The calls: the latest that fit, a line saying how many are hidden. */
	int call_room = rows - socket_rows - (side->call_count ? 1 : 0);
	size_t first = 0;
	if (call_room < (int)side->call_count)
		first = side->call_count - (size_t)(call_room > 1 ? call_room - 1 : 0);
	int y = top;
	if (first && call_room > 0) {
		char earlier[96];
		snprintf(earlier, sizeof earlier,
			 ngettext("(%zu earlier call)", "(%zu earlier calls)", first), first);
		text_at(layout, PROJECTOR_DIM, y++, inner_x, inner_width, earlier);
	}
	for (size_t i = first; i < side->call_count && y < top + call_room; i++)
		call_line(layout, &side->calls[i], y++, inner_x, inner_width);
	if (side->call_count)
		y++;
	if (listed == 0) {
		text_at(layout, PROJECTOR_DIM, y, inner_x, inner_width,
			view->step == 0 ? _("no socket yet") : _("no socket"));
		return;
	}
	for (size_t i = 0; i < shown; i++) {
		const struct lab_socket *socket = view->snapshot->sockets[pane->sockets[i]];
		bool selected = focused && i == input->selected;
		if (big) {
			socket_big(layout, socket, y, inner_x, inner_width, selected);
			y += SOCKET_BIG_ROWS;
		} else {
			socket_small(layout, socket, y++, inner_x, inner_width, selected);
		}
	}
	if (pane->socket_count > shown) {
		char more[96];
		snprintf(more, sizeof more, _("+%zu more (Tab, Enter: details)"),
			 pane->socket_count - shown);
		text_at(layout, PROJECTOR_DIM, y, inner_x, inner_width, more);
	}
}

/* ---- the packets between the panes --------------------------------------- */

static void wire_build(struct projector_layout *layout, const struct projector_input *input,
		       int top, int x, int width, int rows)
{
	const struct lesson_view *view = input->view;
	if (width < 8 || rows < 1)
		return;
	if (!view->step_packet_count) {
		const char *note = view->wire_note[0] ? view->wire_note : _("no packet");
		struct wrap_line lines[6];
		size_t count = wrap_text(note, width, lines, 6);
		for (size_t i = 0; i < count && i < 6 && (int)i < rows; i++)
			slice_at(layout, PROJECTOR_DIM, top + (int)i, x, width, lines[i].start,
				 lines[i].len);
		return;
	}
	/* Large flags while every packet fits so; else the flags in words
	 * over each arrow; else a line each. */
	int left = 0, right = input->right_side;
	size_t packets = view->step_packet_count;
	bool flags_fit = true;
	for (size_t e = 0; e < view->step_event_count; e++)
		for (size_t k = 0; k < view->step_events[e].packet_count; k++) {
			const struct wire_packet *packet = &view->step_events[e].packets[k];
			char flags[PACKET_FLAGS_TEXT_MAX];
			packet_flags_text(packet->protocol, packet->flags, flags, sizeof flags);
			flags_fit = flags_fit && scale_for(flags, width) > 0;
		}
	int per = flags_fit && (int)packets * PACKET_BIG_ROWS - 1 <= rows ? PACKET_BIG_ROWS
		  : (int)packets * PACKET_MEDIUM_ROWS - 1 <= rows    ? PACKET_MEDIUM_ROWS
								     : 1;
	size_t room = per == 1 ? (size_t)rows : packets;
	if (per == 1 && packets > room)
		room = (size_t)rows - 1;
	const char *to_right = input->utf8 ? "→" : "->", *to_left = input->utf8 ? "←" : "<-";
	int y = top;
	size_t drawn = 0;
	for (size_t e = 0; e < view->step_event_count; e++)
		for (size_t k = 0; k < view->step_events[e].packet_count; k++, drawn++) {
			if (drawn >= room)
				continue;
			const struct wire_packet *packet = &view->step_events[e].packets[k];
			char flags[PACKET_FLAGS_TEXT_MAX];
			packet_flags_text(packet->protocol, packet->flags, flags, sizeof flags);
			bool rightward = packet->from_side == left && packet->to_side == right
				&& left != right;
			bool leftward = packet->from_side == right && packet->to_side == left
				&& left != right;
			char label[96], line[PROJECTOR_TEXT_MAX];
			ladder_packet_label(packet, LABEL_NUMBERS, label, sizeof label);
			if (rightward)
				snprintf(line, sizeof line, "%s %s", label, to_right);
			else if (leftward)
				snprintf(line, sizeof line, "%s %s", to_left, label);
			else
				snprintf(line, sizeof line, "%s%s%s %s",
					 packet->from_side >= 0
							 && packet->from_side < view->side_count
						 ? view->sides[packet->from_side].name
						 : "?",
					 to_right,
					 packet->to_side >= 0 && packet->to_side < view->side_count
						 ? view->sides[packet->to_side].name
						 : "?",
					 label);
			int line_x = x + (rightward || !leftward ? 0 : width - columns(line));
			if (line_x < x)
				line_x = x;
			if (per == PACKET_BIG_ROWS) {
				int scale = scale_for(flags, width);
				int ink_x = leftward ? x + width - bigfont_width(flags, scale) : x;
				ink_text(layout, PROJECTOR_KEY, y, ink_x, flags, scale);
				y += BIGFONT_ROWS;
			}
			text_at(layout, PROJECTOR_KEY, y++, line_x, width, line);
			if (per != 1 && (rightward || leftward)) {
				ink_arrow(layout, y, x, width, rightward);
				y += ARROW_ROWS;
			} else if (per != 1) {
				y += ARROW_ROWS;
			}
			if (per != 1)
				y++;
		}
	if (drawn > room) {
		char more[96];
		snprintf(more, sizeof more, _("+%zu more (w: the ladder)"), drawn - room);
		text_at(layout, PROJECTOR_DIM, y, x, width, more);
	}
}

/* ---- below the panes ----------------------------------------------------- */

/* A side without a pane: its last call and its sockets' states. */
static void other_side_line(struct projector_layout *layout, const struct lesson_view *view,
			    int side, int y, int width)
{
	char line[PROJECTOR_TEXT_MAX];
	size_t length = (size_t)snprintf(line, sizeof line,
					 "%s:", side >= 0 ? view->sides[side].name : _("other"));
	if (side >= 0 && view->sides[side].call_count) {
		const struct view_call *call =
			&view->sides[side].calls[view->sides[side].call_count - 1];
		length += (size_t)snprintf(line + length, sizeof line - length, " %s%s = %s",
					   call->latest ? ">" : "", call->text, call->result);
	}
	size_t indexes[16];
	size_t count = view_side_sockets(view, side, indexes, 16);
	for (size_t i = 0; i < count && i < 16 && length < sizeof line; i++) {
		const struct lab_socket *socket = view->snapshot->sockets[indexes[i]];
		char who[64], state[64];
		socket_text_who(socket, who, sizeof who);
		state_text(socket, state, sizeof state);
		length += (size_t)snprintf(line + length, sizeof line - length, "%s%s%s %s",
					   i ? ", " : "   ",
					   socket->changes & (CHANGE_NEW | CHANGE_FD) ? "*" : "",
					   who, state);
	}
	text_at(layout, PROJECTOR_NORMAL, y, 1, width - 2, line);
}

/* One line of `text` after a label, cut. */
static void labelled(struct projector_layout *layout, enum projector_role label_role,
		     const char *label, enum projector_role role, const char *text, int y,
		     int width)
{
	text_at(layout, label_role, y, 1, 7, label);
	text_at(layout, role, y, 9, width - 10, text);
}

static int say_build(struct projector_layout *layout, const struct lesson_view *view, int y,
		     int width, bool draw)
{
	if (!view->say || !view->say[0])
		return 0;
	struct wrap_line lines[PROJECTOR_SAY_ROWS + 1];
	size_t count = wrap_text(view->say, width - 2, lines, PROJECTOR_SAY_ROWS + 1);
	int rows = count < PROJECTOR_SAY_ROWS ? (int)count : PROJECTOR_SAY_ROWS;
	for (int i = 0; i < rows && draw; i++) {
		size_t len = lines[i].len;
		bool cut = i == rows - 1 && count > (size_t)rows;
		const char *more = _(" ... (t: all of it)");
		if (cut)
			while (len > 0
			       && wrap_columns(lines[i].start, len) > width - 2 - columns(more))
				len = utf8_before(lines[i].start, len);
		int used = slice_at(layout, PROJECTOR_NORMAL, y + i, 1, width - 2, lines[i].start,
				    len);
		if (cut)
			text_at(layout, PROJECTOR_DIM, y + i, 1 + used, width - 2 - used, more);
	}
	return rows;
}

enum { NOTES_MAX = 2 };   /* failures, and the lab's evidence, each */

/* The rows under the panes, from the bottom up; returns the first. */
static int bottom_build(struct projector_layout *layout, const struct projector_input *input,
			int others, bool unplaced)
{
	const struct lesson_view *view = input->view;
	int width = input->width;
	int y = layout->bottom_y - 1;
	/* What next does. */
	text_at(layout, PROJECTOR_LABEL, y, 1, 7, _("next"));
	int used = text_at(layout, view->at_end ? PROJECTOR_DIM : PROJECTOR_NEXT, y, 9, width - 10,
			   view->next);
	if (view->next_is_wake)
		text_at(layout, PROJECTOR_DIM, y, 9 + used, width - 10 - used, _("  (space)"));
	size_t failures = view->failure_count < NOTES_MAX ? view->failure_count : NOTES_MAX;
	size_t evidence = view->evidence_count < NOTES_MAX ? view->evidence_count : NOTES_MAX;
	y -= (int)evidence;
	for (size_t i = 0; i < evidence; i++)
		labelled(layout, PROJECTOR_LABEL, _("why:"), PROJECTOR_NORMAL, view->evidence[i],
			 y + (int)i, width);
	y -= (int)failures;
	for (size_t i = 0; i < failures; i++)
		labelled(layout, PROJECTOR_FAILED, _("FAILED"), PROJECTOR_NORMAL, view->failures[i],
			 y + (int)i, width);
	int say_rows = say_build(layout, view, 0, width, false);
	y -= say_rows;
	say_build(layout, view, y, width, true);
	if (view->info && view->info->held[0])
		labelled(layout, PROJECTOR_LABEL, _("held"), PROJECTOR_DIM, view->info->held, --y,
			 width);
	if (view->held && view->held[0]) {
		char held[PROJECTOR_TEXT_MAX];
		snprintf(held, sizeof held, "%s", view->held);
		labelled(layout, PROJECTOR_BLOCKED, _("held"), PROJECTOR_KEY, held, --y, width);
	}
	y -= others + (unplaced ? 1 : 0);
	int row = y;
	for (int side = 1; side < view->side_count; side++)
		if (side != input->right_side)
			other_side_line(layout, view, side, row++, width);
	if (unplaced)
		other_side_line(layout, view, -1, row, width);
	return y;
}

void projector_build(struct projector_layout *layout, const struct projector_input *input)
{
	const struct lesson_view *view = input->view;
	int width = input->width, height = input->height;
	layout->count = 0;
	layout->full = false;
	layout->key_y = height - 1;
	layout->bottom_y = layout->key_y - input->bottom_rows;
	if (!view->info)
		return;
	bool paired = view->side_count > 1 && input->right_side > 0
		&& input->right_side < view->side_count;
	int others = view->side_count - (paired ? 2 : 1);
	bool unplaced = view_side_sockets(view, -1, NULL, 0) > 0;
	int text_top = bottom_build(layout, input, others, unplaced);

	/* The panes end a row over the text; they start under the call, whose
	 * large line gives way on a short terminal, and first of all to the
	 * states in large glyphs. */
	int pane_bottom = text_top - 2;
	int need = MIN_PANE_ROWS;
	for (int i = 0; i < (paired ? 2 : 1); i++) {
		int side = i ? input->right_side : 0;
		int sockets = (int)view_side_sockets(view, side, NULL, 0);
		int big =
			sockets * SOCKET_BIG_ROWS - 1 + (view->sides[side].call_count ? 2 : 0) + 2;
		if (big > need)
			need = big;
	}
	bool room_with_call = pane_bottom - CALL_ROWS + 1 >= need;
	bool room_without = pane_bottom - 3 + 1 >= need;
	bool large_call =
		room_with_call || (!room_without && pane_bottom - CALL_ROWS + 1 >= MIN_PANE_ROWS);
	int pane_top = large_call ? CALL_ROWS + 1 : 3;
	call_area(layout, view, width, large_call);
	int pane_height = pane_bottom - pane_top + 1;
	if (pane_height < 4)
		return;
	/* Between the panes: room for "SYN-ACK" and "PSH-ACK" in large glyphs
	 * where the panes keep room for "*ESTABLISHED" (62 columns). */
	int middle = paired ? width - 2 * 62 : 0;
	if (middle > 44)
		middle = 44;
	if (paired && middle < width / 5)
		middle = width / 5;
	int pane_width = paired ? (width - middle) / 2 : width;
	struct pane panes[2] = {
		{ .side = 0, .y = pane_top, .x = 0, .width = pane_width, .height = pane_height },
		{ .side = input->right_side,
		  .y = pane_top,
		  .x = width - pane_width,
		  .width = pane_width,
		  .height = pane_height },
	};
	for (int i = 0; i < (paired ? 2 : 1); i++) {
		panes[i].socket_count =
			view_side_sockets(view, panes[i].side, panes[i].sockets, MAX_SOCKETS);
		pane_build(layout, input, &panes[i]);
	}
	if (paired)
		wire_build(layout, input, pane_top + 1, pane_width + 2, width - 2 * pane_width - 4,
			   pane_height - 2);
}
