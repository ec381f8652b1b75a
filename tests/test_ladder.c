/* Tests of ladder (lab/tui/ladder.c), the wire diagram's model: packet
 * labels, which states a side entered, and the rows and lanes built from a
 * real session's log (the host path, which captures nothing: headings
 * only). No curses.
 */
#include <criterion/criterion.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host_port.h"
#include "ladder.h"
#include "lesson.h"
#include "packet_flags.h"
#include "sandbox.h"
#include "session.h"
#include "view.h"

/* ---- labels ------------------------------------------------------------ */

static void label(const struct wire_packet *packet, enum ladder_label detail, const char *expected)
{
	char out[200];
	ladder_packet_label(packet, detail, out, sizeof out);
	cr_assert_str_eq(out, expected);
}

Test(ladder_label, says_flags_then_numbers_then_payload)
{
	struct wire_packet data = { .protocol = IPPROTO_TCP,
				    .flags = PACKET_FLAG_PSH | PACKET_FLAG_ACK,
				    .seq = 1,
				    .ack = 1,
				    .length = 12,
				    .payload = "Hello, world" };
	label(&data, LABEL_FLAGS, "PSH-ACK len 12");
	label(&data, LABEL_NUMBERS, "PSH-ACK seq 1 ack 1 len 12");
	label(&data, LABEL_PAYLOAD, "PSH-ACK seq 1 ack 1 len 12 \"Hello, world\"");
}

Test(ladder_label, shows_the_ack_number_only_with_the_ack_flag)
{
	struct wire_packet syn = {
		.protocol = IPPROTO_TCP, .flags = PACKET_FLAG_SYN, .seq = 0, .ack = 99
	};
	label(&syn, LABEL_NUMBERS, "SYN seq 0");
	struct wire_packet syn_ack = {
		.protocol = IPPROTO_TCP, .flags = PACKET_FLAG_SYN | PACKET_FLAG_ACK, .ack = 1
	};
	label(&syn_ack, LABEL_NUMBERS, "SYN-ACK seq 0 ack 1");
	/* No data: no length, and no payload even when asked. */
	label(&syn_ack, LABEL_PAYLOAD, "SYN-ACK seq 0 ack 1");
}

Test(ladder_label, gives_udp_its_length_always_and_no_numbers)
{
	struct wire_packet empty = { .protocol = IPPROTO_UDP, .length = 0 };
	label(&empty, LABEL_NUMBERS, "UDP len 0");
	struct wire_packet datagram = { .protocol = IPPROTO_UDP, .length = 3, .payload = "abc" };
	label(&datagram, LABEL_PAYLOAD, "UDP len 3 \"abc\"");
}

Test(ladder_label, cuts_to_the_room_it_is_given)
{
	struct wire_packet data = { .protocol = IPPROTO_TCP,
				    .flags = PACKET_FLAG_PSH | PACKET_FLAG_ACK,
				    .seq = 1,
				    .ack = 1,
				    .length = 12,
				    .payload = "Hello, world" };
	char out[10];
	ladder_packet_label(&data, LABEL_PAYLOAD, out, sizeof out);
	cr_assert_str_eq(out, "PSH-ACK s");
	struct wire_packet other = { .protocol = IPPROTO_ICMP };
	label(&other, LABEL_NUMBERS, "?");
}

/* ---- states entered ---------------------------------------------------- */

static struct lab_socket tcp(int side, int state)
{
	return (struct lab_socket){
		.side = side, .family = AF_INET, .type = SOCK_STREAM, .state = state
	};
}

Test(ladder_state, counts_a_state_new_to_its_side)
{
	struct lab_socket before_sockets[] = { tcp(0, TCP_LISTEN), tcp(1, TCP_SYN_SENT) };
	struct lab_socket after_sockets[] = { tcp(0, TCP_LISTEN), tcp(0, TCP_ESTABLISHED),
					      tcp(1, TCP_ESTABLISHED) };
	const struct lab_socket *before_rows[] = { &before_sockets[0], &before_sockets[1] };
	const struct lab_socket *after_rows[] = { &after_sockets[0], &after_sockets[1],
						  &after_sockets[2] };
	struct lab_snapshot before = { before_rows, 2 }, after = { after_rows, 3 };
	cr_assert_not(ladder_state_entered(&before, &after, 0), "LISTEN was there before");
	cr_assert(ladder_state_entered(&before, &after, 1), "the server's new ESTABLISHED");
	cr_assert(ladder_state_entered(&before, &after, 2),
		  "the client's SYN-SENT became ESTABLISHED");
	/* Nothing before: every state is new. */
	cr_assert(ladder_state_entered(NULL, &after, 0));
}

Test(ladder_state, counts_a_second_socket_in_a_state_the_side_had)
{
	struct lab_socket before_sockets[] = { tcp(0, TCP_ESTABLISHED) };
	struct lab_socket after_sockets[] = { tcp(0, TCP_ESTABLISHED), tcp(0, TCP_ESTABLISHED) };
	const struct lab_socket *before_rows[] = { &before_sockets[0] };
	const struct lab_socket *after_rows[] = { &after_sockets[0], &after_sockets[1] };
	struct lab_snapshot before = { before_rows, 1 }, after = { after_rows, 2 };
	cr_assert_not(ladder_state_entered(&before, &after, 0));
	cr_assert(ladder_state_entered(&before, &after, 1));
	/* The same state on another side is that side's own. */
	struct lab_socket other_sockets[] = { tcp(1, TCP_ESTABLISHED) };
	const struct lab_socket *other_rows[] = { &other_sockets[0] };
	struct lab_snapshot other = { other_rows, 1 };
	cr_assert(ladder_state_entered(&other, &before, 0));
}

/* ---- headings ---------------------------------------------------------- */

/* A forking server's child closing the listener reads as the child's call,
 * as --plain says it, not as the parent's. */
Test(ladder_heading, names_the_process_that_made_the_call)
{
	struct run_info info = { .side_count = 2, .sides = { "server", "client" } };
	struct lesson_view view = { .info = &info, .step = 53, .step_count = 60 };
	static struct lab_event child = { .side = 0, .text = "close(3)", .who = "server/child3" };
	static struct lab_event parent = { .side = 0, .text = "close(4)", .who = "server" };
	static struct lab_event client = { .side = 1, .text = "close(3)" };
	struct ladder_row row = { .kind = LADDER_STEP, .step = 54, .event = &child };
	char out[200];
	ladder_heading_text(&view, &row, out, sizeof out);
	cr_assert_str_eq(out, " 54 server/child3: close(3)");
	row = (struct ladder_row){ .kind = LADDER_STEP, .step = 53, .event = &parent };
	ladder_heading_text(&view, &row, out, sizeof out);
	cr_assert_str_eq(out, ">53 server: close(4)");
	/* A side of one process: its name. */
	row = (struct ladder_row){ .kind = LADDER_STEP, .step = 7, .event = &client };
	ladder_heading_text(&view, &row, out, sizeof out);
	cr_assert_str_eq(out, "  7 client: close(3)");
}

/* ---- rows from a real session ------------------------------------------ */

static struct sandbox sandbox;
static struct lesson *lesson;
static struct session *session;

static void start(void)
{
	char text[1024];
	int port = host_test_port();
	snprintf(text, sizeof text,
		 "title: t\nsides: server client other\n"
		 "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
		 "step server: bind(ls, 127.0.0.1:%d)\n"
		 "step server: listen(ls, 5)\n"
		 "step server: conn = accept(ls)\n"
		 "step client: c = socket(AF_INET, SOCK_STREAM)\n"
		 "step client: connect(c, 127.0.0.1:%d)\n",
		 port, port);
	struct diagnostics diag;
	char *err = NULL;
	diagnostics_init(&diag, "t.lesson");
	lesson = lesson_parse("t.lesson", text, strlen(text), &diag);
	cr_assert_not_null(lesson, "%s", diag.count ? diag.messages[0] : "?");
	diagnostics_done(&diag);
	cr_assert_eq(sandbox_enter(&sandbox, true, &err), 0, "%s", err);
	cr_assert_eq(session_new(&session, lesson, &sandbox, &err), 0, "%s", err);
}

static void finish(void)
{
	session_free(session);
	lesson_free(lesson);
	sandbox_done(&sandbox);
}

Test(ladder, heads_each_step_up_to_the_one_on_screen, .init = start, .fini = finish)
{
	char *err = NULL;
	struct lesson_view view;
	struct ladder ladder;
	view_init(&view);
	ladder_init(&ladder);
	cr_assert_eq(session_goto(session, 6, &err), 0, "%s", err ? err : "?");
	cr_assert_eq(view_update(&view, session, 1), 0);
	cr_assert_eq(ladder_build(&ladder, &view, session, 2), 0);
	/* No packet says who talks: lanes for side 0 and the right pane's side. */
	cr_assert_eq(ladder.lane_count, 2);
	cr_assert_eq(ladder.lane_sides[0], 0);
	cr_assert_eq(ladder.lane_sides[1], 2);
	cr_assert_eq(ladder.packet_count, 0, "the host path captures nothing");
	cr_assert_eq(ladder.count, 6);
	for (size_t i = 0; i < ladder.count; i++) {
		cr_assert_eq(ladder.rows[i].kind, LADDER_STEP);
		cr_assert_eq(ladder.rows[i].step, i + 1);
		cr_assert_not_null(ladder.rows[i].snapshot);
		cr_assert_eq(ladder.rows[i].before, i ? ladder.rows[i - 1].snapshot : NULL);
	}
	cr_assert_eq(ladder.current, 5);
	/* Half 2 shows the woken accept: the heading's states are after it. */
	cr_assert_eq(view_update(&view, session, 2), 0);
	cr_assert_eq(ladder_build(&ladder, &view, session, 1), 0);
	cr_assert_eq(ladder.count, 6);
	cr_assert_eq(ladder.lane_sides[1], 1);
	cr_assert_eq(ladder.rows[5].event->step, 6);
	/* Back at step 3: three headings, the last on screen. */
	cr_assert_eq(session_goto(session, 3, &err), 0, "%s", err ? err : "?");
	cr_assert_eq(view_update(&view, session, 1), 0);
	cr_assert_eq(ladder_build(&ladder, &view, session, 1), 0);
	cr_assert_eq(ladder.count, 3);
	cr_assert_eq(ladder.current, 2);
	ladder_done(&ladder);
	ladder_done(&ladder); /* safe twice */
	view_done(&view);
}
