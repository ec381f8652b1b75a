/* Tests of projector (lab/tui/projector.c), the projector screen's model:
 * which rows hold what, and which glyphs, from a view made by hand (lesson
 * 01's step 6 as the kernel left it: the handshake, a connection in the
 * accept queue). No curses, no kernel. */
#include <criterion/criterion.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bigfont.h"
#include "packet_flags.h"
#include "projector.h"
#include "wrap.h"

static struct run_info info;
static struct lab_socket sockets[4];
static const struct lab_socket *rows[4] = { &sockets[0], &sockets[1], &sockets[2], &sockets[3] };
static struct lab_snapshot snapshot;
static struct view_call server_calls[4], client_calls[2];
static struct wire_packet packets[3];
static struct lab_event event;
static struct lesson_view view;
static struct projector_layout layout;

static struct lab_socket tcp_socket(int side, const char *name, int fd, int state,
				    const char *local, const char *peer, unsigned changes)
{
	struct lab_socket socket = { .side = side, .fd = fd, .family = AF_INET, .type = SOCK_STREAM,
				     .state = state, .changes = changes };
	snprintf(socket.name, sizeof socket.name, "%s", name);
	cr_assert_eq(lab_address_parse(local, &socket.local), 0);
	cr_assert_eq(lab_address_parse(peer, &socket.peer), 0);
	return socket;
}

static struct wire_packet packet(int from, int to, const char *flags, uint32_t seq, uint32_t ack)
{
	struct wire_packet made = {
		.from_side = from, .to_side = to, .protocol = IPPROTO_TCP, .seq = seq, .ack = ack
	};
	cr_assert_eq(packet_flags_parse(IPPROTO_TCP, flags, &made.flags), 0, "%s", flags);
	return made;
}

static void step6(void)
{
	memset(&info, 0, sizeof info);
	snprintf(info.lesson, sizeof info.lesson, "01-echo");
	snprintf(info.sides[0], sizeof info.sides[0], "server");
	snprintf(info.sides[1], sizeof info.sides[1], "client");
	info.side_count = 2;
	info.step_count = 14;
	sockets[0] = tcp_socket(0, "ls", 3, TCP_LISTEN, "127.0.0.1:65432", "*", CHANGE_QUEUE);
	sockets[0].recv_queue = 1;
	sockets[0].send_queue = 5;
	sockets[1] = tcp_socket(0, "", -1, TCP_ESTABLISHED, "127.0.0.1:65432", "127.0.0.1:40312",
				CHANGE_NEW);
	sockets[2] = tcp_socket(1, "c", 3, TCP_ESTABLISHED, "127.0.0.1:40312", "127.0.0.1:65432",
				CHANGE_STATE | CHANGE_ADDRESS);
	snapshot = (struct lab_snapshot){ .sockets = rows, .count = 3 };
	server_calls[0] =
		(struct view_call){ .text = "ls = socket(AF_INET, SOCK_STREAM)", .result = "3" };
	server_calls[1] = (struct view_call){ .text = "bind(ls, 127.0.0.1:65432)", .result = "0" };
	server_calls[2] = (struct view_call){ .text = "listen(ls, 5)", .result = "0" };
	server_calls[3] = (struct view_call){ .text = "conn = accept(ls)", .result = "... blocked",
					      .blocked = true };
	client_calls[0] =
		(struct view_call){ .text = "c = socket(AF_INET, SOCK_STREAM)", .result = "3" };
	client_calls[1] = (struct view_call){ .text = "connect(c, 127.0.0.1:65432)", .result = "0",
					      .latest = true };
	packets[0] = packet(1, 0, "SYN", 0, 0);
	packets[1] = packet(0, 1, "SYN-ACK", 0, 1);
	packets[2] = packet(1, 0, "ACK", 1, 1);
	event = (struct lab_event){ .step = 6, .packets = packets, .packet_count = 3 };
	memset(&view, 0, sizeof view);
	view.info = &info;
	view.snapshot = &snapshot;
	view.step = 6;
	view.step_count = 14;
	view.half = 1;
	view.half_count = 2;
	view.say =
		"connect() sends a SYN; the server's kernel answers SYN-ACK, the client's kernel "
		"sends the last ACK, and both ends are ESTABLISHED. The server's kernel completed "
		"the connection by itself and put it in the accept queue (1 of 5): ESTABLISHED, "
		"but no fd holds it yet. The client did not bind: connect() picked an ephemeral "
		"port for it, a free port from the kernel's ephemeral range, lent until close. "
		"More words, so that three lines cannot hold them all at 160 columns or 200.";
	snprintf(view.next, sizeof view.next,
		 "the kernel will now wake server's conn = accept(ls)");
	view.next_is_wake = true;
	view.wire_note = "";
	view.held = "";
	view.step_events = &event;
	view.step_event_count = 1;
	view.step_packet_count = 3;
	view.side_count = 2;
	view.next_side = 0;
	view.sides[0] = (struct view_side){ .name = "server",
					    .calls = server_calls,
					    .call_count = 4,
					    .blocked = true,
					    .socket_count = 2 };
	view.sides[1] = (struct view_side){
		.name = "client", .calls = client_calls, .call_count = 2, .socket_count = 1
	};
}

static void build(int width, int height)
{
	struct projector_input input = { .view = &view, .width = width, .height = height,
					 .right_side = 1, .focus_side = -1, .utf8 = true };
	projector_build(&layout, &input);
	cr_assert(!layout.full, "the items fit the layout");
}

/* The first row of `text` in large glyphs drawn at some scale, with the
 * other rows right under it at the same column; its item, or NULL. */
static const struct projector_item *find_big(const char *text, int *scale_found)
{
	for (int scale = 2; scale >= 1; scale--) {
		char rows[BIGFONT_ROWS][PROJECTOR_TEXT_MAX];
		for (int row = 0; row < BIGFONT_ROWS; row++)
			bigfont_row(text, scale, row, rows[row], sizeof rows[row]);
		for (size_t i = 0; i < layout.count; i++) {
			const struct projector_item *first = &layout.items[i];
			if (first->kind != PROJECTOR_INK || strcmp(first->text, rows[0]) != 0)
				continue;
			int matched = 1;
			for (size_t k = 0; k < layout.count; k++) {
				const struct projector_item *item = &layout.items[k];
				int row = item->y - first->y;
				if (item->kind == PROJECTOR_INK && item->x == first->x && row > 0
				    && row < BIGFONT_ROWS && strcmp(item->text, rows[row]) == 0)
					matched++;
			}
			if (matched == BIGFONT_ROWS) {
				if (scale_found)
					*scale_found = scale;
				return first;
			}
		}
	}
	return NULL;
}

static const struct projector_item *find_text(const char *text)
{
	for (size_t i = 0; i < layout.count; i++)
		if (layout.items[i].kind == PROJECTOR_TEXT
		    && strcmp(layout.items[i].text, text) == 0)
			return &layout.items[i];
	return NULL;
}

Test(projector, is_chosen_by_big_or_by_a_large_terminal)
{
	cr_expect(projector_wanted(false, 160, 45));
	cr_expect(projector_wanted(false, 200, 60));
	cr_expect(!projector_wanted(false, 159, 60));
	cr_expect(!projector_wanted(false, 200, 44));
	cr_expect(projector_wanted(true, 100, 30));
	cr_expect(!projector_wanted(true, 80, 24));
}

static void expect_states_big(int width, int height)
{
	step6();
	build(width, height);
	int scale = 0;
	const struct projector_item *listen = find_big("LISTEN", &scale);
	cr_assert_not_null(listen, "LISTEN in large glyphs at %dx%d", width, height);
	cr_expect_lt(listen->x, width / 2, "the server's state in the left pane");
	if (width < 120)
		return;   /* a pane of 40 columns: ESTABLISHED in normal type */
	const struct projector_item *client = find_big("*ESTABLISHED", NULL);
	cr_assert_not_null(client,
			   "the client's changed state, its '*' in large glyphs too, at %dx%d",
			   width, height);
	cr_expect_gt(client->x, width / 2, "the client's state in the right pane");
	cr_expect_eq(client->role, PROJECTOR_CHANGED);
	/* The connection no fd holds yet: its state under the listener's. */
	const struct projector_item *queued = find_big("ESTABLISHED", NULL);
	cr_assert_not_null(queued);
	cr_expect_lt(queued->x, width / 2);
	cr_expect_gt(queued->y, listen->y);
}

Test(projector, shows_each_state_in_large_glyphs_in_its_pane)
{
	expect_states_big(200, 60);
	expect_states_big(160, 45);
	expect_states_big(100, 30);
}

Test(projector, writes_the_call_and_its_result_on_one_line_in_large_glyphs)
{
	step6();
	build(200, 60);
	const struct projector_item *call = find_big("connect(c, 127.0.0.1:65432) = 0", NULL);
	cr_assert_not_null(call);
	cr_expect_eq(call->y, 2);
	cr_expect_not_null(find_text("connect(c, 127.0.0.1:65432)"), "the call in normal type too");
	/* Too long for large glyphs whole: the result loses its words first. */
	client_calls[1].text = "connect(c, 127.0.0.1:65432)";
	snprintf(client_calls[1].result, sizeof client_calls[1].result,
		 "-1 ECONNREFUSED (Connection refused)");
	client_calls[1].failed = true;
	build(160, 45);
	call = find_big("connect(c, 127.0.0.1:65432) = -1 ECONNREFUSED", NULL);
	cr_assert_null(call, "too wide at 160 columns");
	call = find_big("connect(...) = -1 ECONNREFUSED", NULL);
	cr_assert_not_null(call, "the call's name and the errno");
	cr_expect_eq(call->role, PROJECTOR_FAILED);
}

Test(projector, draws_each_packet_as_an_arrow_from_its_sender)
{
	step6();
	build(200, 60);
	const struct projector_item *syn = find_text("← SYN seq 0");
	const struct projector_item *syn_ack = find_text("SYN-ACK seq 0 ack 1 →");
	const struct projector_item *ack = find_text("← ACK seq 1 ack 1");
	cr_assert_not_null(syn);
	cr_assert_not_null(syn_ack);
	cr_assert_not_null(ack);
	cr_expect_lt(syn->y, syn_ack->y, "in the order they crossed");
	cr_expect_lt(syn_ack->y, ack->y);
	/* Between the panes, their flags in large glyphs. */
	const struct projector_item *flags = find_big("SYN-ACK", NULL);
	cr_assert_not_null(flags);
	cr_expect_gt(flags->x, 60);
	cr_expect_lt(flags->x + flags->width, 140);
	/* Under SYN-ACK its arrow, the head on the right (the client's pane). */
	bool arrow = false;
	for (size_t i = 0; i < layout.count; i++) {
		const struct projector_item *item = &layout.items[i];
		if (item->kind != PROJECTOR_INK || item->y != syn_ack->y + 1)
			continue;
		size_t length = strlen(item->text);
		arrow = length > 10 && item->text[0] == ' ' && item->text[length - 3] == '#'
			&& strspn(item->text, " ") > length / 2;
	}
	cr_expect(arrow, "the arrow's head over its shaft, on the right");
}

Test(projector, marks_only_what_it_shows)
{
	step6();
	build(200, 60);
	for (size_t i = 0; i < layout.count; i++) {
		const struct projector_item *item = &layout.items[i];
		if (item->kind != PROJECTOR_TEXT || !strchr(item->text, '*'))
			continue;
		const char *star = strchr(item->text, '*');
		if (star[1] == '\0') {
			/* A '*' alone: the changed text follows it on the same row. */
			const struct projector_item *next = item + 1;
			cr_expect(next < layout.items + layout.count && next->y == item->y
					  && next->x == item->x + 1 && next->text[0] != ' '
					  && next->role == PROJECTOR_CHANGED,
				  "a '*' at row %d column %d marks nothing", item->y, item->x);
		} else {
			cr_expect_neq(star[1], ' ', "'%s'", item->text);
			cr_expect_eq(item->role, PROJECTOR_CHANGED, "'%s'", item->text);
		}
	}
	/* The listener's peer is "*" to the kernel: in words here. */
	cr_expect_not_null(find_text("127.0.0.1:65432  peer any"));
	cr_expect_not_null(find_text("*accept queue 1 of 5"), "the queue that changed, shown");
	cr_expect_not_null(find_text("*127.0.0.1:40312  peer 127.0.0.1:65432"),
			   "the address that changed");
	/* A receive queue that changed (lesson 01 step 7): shown with its mark. */
	sockets[1].recv_queue = 12;
	sockets[1].changes = CHANGE_QUEUE;
	build(200, 60);
	cr_expect_not_null(find_text("*recv-q 12 send-q 0"));
}

Test(projector, keeps_the_explanation_to_three_lines_and_points_to_the_rest)
{
	step6();
	build(160, 45);
	const struct projector_item *more = find_text(" ... (t: all of it)");
	cr_assert_not_null(more);
	int say_rows = 0;
	for (size_t i = 0; i < layout.count; i++)
		if (layout.items[i].kind == PROJECTOR_TEXT && layout.items[i].x == 1
		    && strncmp(layout.items[i].text, view.say, 8) == 0)
			say_rows++;
	cr_expect_eq(say_rows, 1, "the explanation starts once");
	const struct projector_item *next = find_text("next");
	cr_assert_not_null(next);
	cr_expect_eq(next->y, 43, "what next does, over the key line");
	cr_expect_eq(more->y, next->y - 1, "the explanation's third line, right over it");
}

/* The text of the row at `y` from column 1 on, item after item. */
static void row_text(int y, char *out, size_t size)
{
	size_t length = 0;
	out[0] = '\0';
	for (size_t i = 0; i < layout.count; i++) {
		const struct projector_item *item = &layout.items[i];
		if (item->kind == PROJECTOR_TEXT && item->y == y && item->x >= 1)
			length += (size_t)snprintf(out + length, size - length, "%s", item->text);
		cr_assert_lt(length, size);
	}
}

Test(projector, writes_an_explanation_line_whole_however_long)
{
	/* A line of Chinese at 300 columns is ~450 bytes: more than one item holds. */
	static char say[4096];
	size_t length = 0;
	for (int i = 0; i < 40; i++)
		length += (size_t)snprintf(say + length, sizeof say - length,
					   "一条连接有两个方向，每一端关闭自己那个方向。");
	step6();
	view.say = say;
	build(300, 80);
	struct wrap_line lines[2];
	cr_assert_gt(wrap_text(say, 298, lines, 2), 1);
	char expected[2048], shown[2048];
	snprintf(expected, sizeof expected, "%.*s", (int)lines[0].len, lines[0].start);
	cr_assert_gt(strlen(expected), (size_t)PROJECTOR_TEXT_MAX, "the line needs two items");
	for (size_t i = 0; i < layout.count; i++) {
		const struct projector_item *item = &layout.items[i];
		if (item->kind != PROJECTOR_TEXT || strncmp(item->text, say, 9) != 0)
			continue;
		row_text(item->y, shown, sizeof shown);
		cr_expect_str_eq(shown, expected, "the explanation's first line, every character");
		return;
	}
	cr_assert_fail("no explanation on screen");
}

Test(projector, keeps_every_item_inside_the_terminal)
{
	int sizes[][2] = { { 200, 60 }, { 160, 45 }, { 100, 30 }, { 300, 80 } };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		step6();
		build(sizes[s][0], sizes[s][1]);
		int rows_used[128] = { 0 };
		for (size_t i = 0; i < layout.count; i++) {
			const struct projector_item *item = &layout.items[i];
			cr_expect(item->y >= 1 && item->y < sizes[s][1] - 1, "row %d at %dx%d",
				  item->y, sizes[s][0], sizes[s][1]);
			cr_expect_leq(item->x + item->width, sizes[s][0], "'%s' at %dx%d",
				      item->text, sizes[s][0], sizes[s][1]);
			if (item->kind == PROJECTOR_INK)
				cr_expect_leq((int)strlen(item->text), item->width);
			for (int y = item->y;
			     y < item->y + (item->kind == PROJECTOR_BOX ? item->height : 1); y++)
				if (y >= 0 && y < 128)
					rows_used[y] = 1;
		}
		int used = 2;   /* the header and the key line: the caller's */
		for (int y = 0; y < 128; y++)
			used += rows_used[y];
		cr_expect_geq(used * 3, sizes[s][1] * 2, "%d of %d rows used at %dx%d", used,
			      sizes[s][1], sizes[s][0], sizes[s][1]);
	}
}

Test(projector, gives_a_third_side_a_line_under_the_panes)
{
	step6();
	snprintf(info.sides[2], sizeof info.sides[2], "client2");
	info.side_count = 3;
	view.side_count = 3;
	static struct view_call third = { .text = "c2 = socket(AF_INET, SOCK_STREAM)",
					  .result = "3" };
	view.sides[2] = (struct view_side){ .name = "client2", .calls = &third, .call_count = 1 };
	build(200, 60);
	bool line = false;
	for (size_t i = 0; i < layout.count; i++)
		line |= layout.items[i].kind == PROJECTOR_TEXT
			&& strncmp(layout.items[i].text, "client2: c2 = socket", 20) == 0;
	cr_expect(line);
}
