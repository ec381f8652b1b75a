/* Tests of states: the one table of socket state names, read both ways,
 * and the quiz's answer words taken from it. */
#include <criterion/criterion.h>

#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "quiz.h"
#include "states.h"

static int value_of(const char *name)
{
	return states_value(name, strlen(name));
}

Test(states, name_every_kernel_state_once_and_read_it_back)
{
	for (int state = TCP_ESTABLISHED; state <= TCP_CLOSING; state++) {
		size_t shown = 0;
		for (size_t i = 0; i < states_count; i++)
			shown += states_table[i].shown && states_table[i].value == state;
		cr_assert_eq(shown, 1, "state %d has %zu names shown", state, shown);
		const char *name = states_name(state, SOCK_STREAM);
		cr_assert_str_neq(name, "?", "state %d", state);
		cr_assert_eq(value_of(name), state, "%s", name);
	}
}

Test(states, have_distinct_names)
{
	for (size_t i = 0; i < states_count; i++)
		for (size_t k = i + 1; k < states_count; k++)
			cr_assert_str_neq(states_table[i].name, states_table[k].name);
}

Test(states, name_what_the_kind_of_socket_changes)
{
	cr_assert_str_eq(states_name(TCP_CLOSE, SOCK_STREAM), "CLOSE");
	cr_assert_str_eq(states_name(TCP_CLOSE, SOCK_DGRAM), "UNCONN");
	cr_assert_str_eq(states_name(12, SOCK_STREAM), "SYN-RECV", "a request socket");
	cr_assert_str_eq(states_name(13, SOCK_STREAM), "BOUND", "bound, inactive");
	cr_assert_str_eq(states_name(0, SOCK_STREAM), "?");
	cr_assert_str_eq(states_name(99, SOCK_STREAM), "?");
	cr_assert_str_eq(states_name(-1, SOCK_STREAM), "?");
}

Test(states, read_the_names_lessons_write)
{
	cr_assert_eq(value_of("TIME-WAIT"), TCP_TIME_WAIT);
	cr_assert_eq(value_of("BOUND"), TCP_CLOSE);
	cr_assert_eq(value_of("UNCONN"), TCP_CLOSE);
	cr_assert_eq(value_of("CLOSE"), TCP_CLOSE);
	cr_assert_eq(value_of("gone"), 0);
	cr_assert_eq(value_of("TIME_WAIT"), -1);
	cr_assert_eq(value_of("established"), -1);
	cr_assert_eq(value_of(""), -1);
	/* Only the length given: "LISTENER" cut to 6 is LISTEN. */
	cr_assert_eq(states_value("LISTENER", 6), TCP_LISTEN);
}

Test(states, give_the_quiz_its_words_in_the_tables_order)
{
	size_t row = 0;
	for (size_t i = 0; i < quiz_state_count; i++) {
		cr_assert_geq(value_of(quiz_states[i]), 0,
			      "the quiz offers %s, which the table lacks", quiz_states[i]);
		while (row < states_count && strcmp(states_table[row].name, quiz_states[i]) != 0)
			row++;
		cr_assert_lt(row, states_count, "%s is out of the table's order", quiz_states[i]);
	}
}
