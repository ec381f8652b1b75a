/* timed: when a timed state's kernel timer ran out, from snapshots alone. */
#include <criterion/criterion.h>
#include <netinet/tcp.h>
#include <string.h>

#include "model.h"
#include "timed.h"

static struct lab_socket socket_in(int side, const char *name, int state, uint8_t timer,
				   uint32_t timer_ms)
{
	struct lab_socket socket = {
		.side = side, .fd = -1, .state = state, .timer = timer, .timer_ms = timer_ms
	};
	strcpy(socket.name, name);
	return socket;
}

static const int64_t second = 1000000;

Test(timed, says_time_wait_ended_when_its_timer_ran_out_and_the_socket_is_gone)
{
	struct timed_table table = { 0 };
	struct lab_socket sockets[] = { socket_in(0, "a1", TCP_TIME_WAIT, 3, 60000) };
	const struct lab_socket *rows[] = { &sockets[0] };   /* a snapshot by hand, of these rows */
	struct lab_snapshot with = { rows, 1 }, without = { NULL, 0 };
	timed_note(&table, &with, 9, 100 * second);
	sockets[0].timer_ms = 58000;
	timed_note(&table, &with, 10, 102 * second);   /* the same state: still since step 9 */
	char said[256];
	cr_assert_not(
		timed_explain(&table, &without, 0, "a1", 130 * second, said, sizeof said, NULL, 0),
		"30 s in: the timer has not run out, so nothing explains the socket being gone");
	cr_assert(
		timed_explain(&table, &without, 0, "a1", 174 * second, said, sizeof said, NULL, 0));
	cr_assert_str_eq(said,
			 "TIME-WAIT ended: 74 s passed since step 9, longer than its 60 s timer; "
			 "the kernel freed the port");
	cr_assert_not(timed_explain(&table, &with, 0, "a1", 174 * second, said, sizeof said, NULL,
				    0),
		      "still in TIME-WAIT: the state did not end on the timer");
	cr_assert_not(timed_explain(&table, &without, 1, "a1", 174 * second, said, sizeof said,
				    NULL, 0),
		      "another side's a1");
}

Test(timed, a_state_left_before_its_timer_ran_out_explains_nothing)
{
	struct timed_table table = { 0 };
	struct lab_socket sockets[] = { socket_in(1, "c", TCP_SYN_SENT, 1, 1000) };
	const struct lab_socket *rows[] = { &sockets[0] };   /* a snapshot by hand, of these rows */
	struct lab_snapshot with = { rows, 1 };
	timed_note(&table, &with, 5, 0);
	sockets[0] = socket_in(1, "c", TCP_CLOSE, 0, 0);   /* refused at once: no timer ended it */
	timed_note(&table, &with, 6, second / 10);
	char said[256];
	cr_assert_not(
		timed_explain(&table, &with, 1, "c", 10 * second, said, sizeof said, NULL, 0));
}

Test(timed, a_state_without_a_timer_explains_nothing)
{
	struct timed_table table = { 0 };
	struct lab_socket sockets[] = { socket_in(1, "c", TCP_ESTABLISHED, 0, 0) };
	const struct lab_socket *rows[] = { &sockets[0] };   /* a snapshot by hand, of these rows */
	struct lab_snapshot with = { rows, 1 }, without = { NULL, 0 };
	timed_note(&table, &with, 4, 10 * second);
	char said[256];
	cr_assert_not(
		timed_explain(&table, &without, 1, "c", 1000 * second, said, sizeof said, NULL, 0));
}

Test(timed, an_orphaned_fin_wait_2_that_timed_out_explains_the_next_state)
{
	struct timed_table table = { 0 };
	struct lab_socket sockets[] = { socket_in(0, "a1", TCP_FIN_WAIT2, 3, 60000) };
	const struct lab_socket *rows[] = { &sockets[0] };   /* a snapshot by hand, of these rows */
	struct lab_snapshot with = { rows, 1 }, without = { NULL, 0 };
	timed_note(&table, &with, 7, 0);
	char said[256];
	cr_assert(
		timed_explain(&table, &without, 0, "a1", 61 * second, said, sizeof said, NULL, 0));
	cr_assert(strstr(said,
			 "FIN-WAIT-2 ended: 61 s passed since step 7, longer than its 60 s timer"),
		  "%s", said);
	cr_assert(strstr(said, "tcp_fin_timeout"), "%s", said);
}

Test(timed, a_new_state_restarts_the_clock)
{
	struct timed_table table = { 0 };
	struct lab_socket sockets[] = { socket_in(1, "c", TCP_FIN_WAIT2, 3, 60000) };
	const struct lab_socket *rows[] = { &sockets[0] };   /* a snapshot by hand, of these rows */
	struct lab_snapshot with = { rows, 1 }, without = { NULL, 0 };
	timed_note(&table, &with, 11, 0);
	sockets[0] = socket_in(1, "c", TCP_TIME_WAIT, 3, 60000);
	timed_note(&table, &with, 13, 20 * second);
	char said[256];
	cr_assert_not(timed_explain(&table, &without, 1, "c", 70 * second, said, sizeof said, NULL,
				    0),
		      "TIME-WAIT began at 20 s: its timer ends at 80 s");
	cr_assert(timed_explain(&table, &without, 1, "c", 81 * second, said, sizeof said, NULL, 0));
	cr_assert(strstr(said, "TIME-WAIT ended: 61 s passed since step 13"), "%s", said);
	timed_clear(&table);
	cr_assert_not(timed_explain(&table, &without, 1, "c", 81 * second, said, sizeof said, NULL,
				    0),
		      "cleared on restart");
}

Test(timed, syn_sent_whose_retries_ran_out_says_connect_gave_up)
{
	struct timed_table table = { 0 };
	/* The SYN resent 1 s, 2 s, 4 s ...: the retransmit timer, its expiry moving on. */
	struct lab_socket sockets[] = { socket_in(1, "d", TCP_SYN_SENT, 1, 1000) };
	const struct lab_socket *rows[] = { &sockets[0] };   /* a snapshot by hand, of these rows */
	struct lab_snapshot with = { rows, 1 };
	timed_note(&table, &with, 16, 0);
	sockets[0].timer_ms = 64000;
	timed_note(&table, &with, 17, 63 * second);
	char said[256];
	cr_assert_not(timed_explain(&table, &with, 1, "d", 100 * second, said, sizeof said, NULL,
				    0),
		      "the last retry is still due");
	sockets[0] = socket_in(1, "d", TCP_CLOSE, 0, 0);   /* connect() failed: held by its fd */
	timed_note(&table, &with, 18, 128 * second);
	cr_assert(timed_explain(&table, &with, 1, "d", 128 * second, said, sizeof said, NULL, 0));
	cr_assert(strstr(said,
			 "SYN-SENT ended: 128 s passed since step 16, longer than its 127 s timer; "
			 "the kernel gave up resending the SYN"),
		  "%s", said);
}
