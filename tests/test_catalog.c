/* Tests of catalog: the call rows are complete and consistent (the parser,
 * the puppet, the help screens and the trace all read them), names resolve
 * and near misses get a suggestion, constants and errno names read back the
 * way they were written.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "catalog.h"
#include "puppet.h"
#include "quiz.h"
#include "syscalls.h"

static const struct call_def *find_call(const char *name)
{
	return catalog_find_call(name, strlen(name));
}

static const char *suggest_call(const char *name)
{
	return catalog_suggest_call(name, strlen(name));
}

/* ---- call rows -------------------------------------------------------- */

Test(catalog_calls, have_ids_that_match_their_index)
{
	for (size_t i = 0; i < CALL_COUNT; i++)
		cr_assert_eq((size_t)catalog_calls[i].id, i, "row %zu (%s)", i,
			     catalog_calls[i].name);
}

Test(catalog_calls, have_a_name_usage_python_and_summary)
{
	for (size_t i = 0; i < CALL_COUNT; i++) {
		const struct call_def *call = &catalog_calls[i];
		cr_assert_not_null(call->name, "row %zu has no name", i);
		cr_assert_gt(strlen(call->name), 0, "row %zu", i);
		cr_assert_not_null(call->usage, "%s has no usage", call->name);
		cr_assert_not_null(call->python, "%s has no python", call->name);
		cr_assert_not_null(call->summary, "%s has no summary", call->name);
		cr_assert_gt(strlen(call->python), 0, "%s", call->name);
		cr_assert_gt(strlen(call->summary), 0, "%s", call->name);
		/* The usage shows the call as it is written: "bind(sock, address)". */
		size_t name_len = strlen(call->name);
		cr_assert(strncmp(call->usage, call->name, name_len) == 0
				  && call->usage[name_len] == '(',
			  "%s: usage '%s' does not start with '%s('", call->name, call->usage,
			  call->name);
		cr_assert_eq(call->usage[strlen(call->usage) - 1], ')', "%s: usage '%s'",
			     call->name, call->usage);
	}
}

Test(catalog_calls, take_between_min_and_max_arguments_of_known_kinds)
{
	for (size_t i = 0; i < CALL_COUNT; i++) {
		const struct call_def *call = &catalog_calls[i];
		cr_assert_leq(call->min_args, call->max_args, "%s", call->name);
		cr_assert_leq(call->max_args, CALL_MAX_ARGS, "%s", call->name);
		/* Every system call takes an argument; the wire's release() and
		 * drop() take none. */
		cr_assert(call->min_args >= 1 || call->wire,
			  "%s: every system call takes at least one argument", call->name);
		for (int a = 0; a < call->max_args; a++)
			cr_assert_lt(call->args[a], ARG_KIND_COUNT, "%s argument %d", call->name,
				     a);
	}
}

Test(catalog_calls, have_names_that_are_distinct)
{
	for (size_t i = 0; i < CALL_COUNT; i++)
		for (size_t k = i + 1; k < CALL_COUNT; k++)
			cr_assert_str_neq(catalog_calls[i].name, catalog_calls[k].name);
}

Test(catalog_calls, name_only_results_that_are_file_descriptors)
{
	for (size_t i = 0; i < CALL_COUNT; i++) {
		const struct call_def *call = &catalog_calls[i];
		if (call->names_result)
			cr_assert_eq(call->result, RESULT_FD, "%s names a result that is not an fd",
				     call->name);
	}
	cr_assert(catalog_calls[CALL_SOCKET].names_result);
	cr_assert(catalog_calls[CALL_ACCEPT].names_result);
}

Test(catalog_calls, say_which_system_call_a_blocking_call_sleeps_in)
{
	for (size_t i = 0; i < CALL_COUNT; i++) {
		const struct call_def *call = &catalog_calls[i];
		if (call->may_block)
			cr_assert_gt(call->blocking_syscall, 0, "%s may block but names no syscall",
				     call->name);
	}
	cr_assert(catalog_calls[CALL_ACCEPT].may_block);
	cr_assert(catalog_calls[CALL_RECV].may_block);
	cr_assert(catalog_calls[CALL_CONNECT].may_block);
	cr_assert_not(catalog_calls[CALL_BIND].may_block);
	cr_assert_not(catalog_calls[CALL_LISTEN].may_block);
}

Test(catalog_calls, take_a_socket_first_except_those_that_make_or_wait)
{
	for (size_t i = 0; i < CALL_COUNT; i++) {
		const struct call_def *call = &catalog_calls[i];
		/* socket, socketpair and epoll_create1 make fds, unlink takes a
		 * path, poll and select take their timeout first, then the
		 * sockets; fork names the side its child becomes. */
		if (call->id == CALL_SOCKET || call->id == CALL_SOCKETPAIR
		    || call->id == CALL_UNLINK || call->id == CALL_POLL || call->id == CALL_SELECT
		    || call->id == CALL_EPOLL_CREATE || call->id == CALL_FORK)
			continue;
		cr_assert_eq(call->args[0], ARG_SOCKET, "%s", call->name);
	}
	cr_assert_eq(catalog_calls[CALL_SOCKET].args[0], ARG_FAMILY);
	cr_assert_eq(catalog_calls[CALL_UNLINK].args[0], ARG_PATH);
}

/* ---- the other per-call tables ---------------------------------------- */

/* Each table is declared CALL_COUNT long, so its size proves nothing: a
 * call added to the catalog and forgotten here leaves a NULL or empty row,
 * which these tests find. */

Test(call_tables, give_every_system_call_a_puppet_runner)
{
	for (size_t i = 0; i < CALL_COUNT; i++) {
		const struct call_def *call = &catalog_calls[i];
		/* release() and drop() act on the held wire, not in a puppet;
		 * a program-only call is never a lesson's. */
		bool runs = !call->wire && !call->program_only;
		cr_assert_eq(puppet_runs_call(call->id), runs, "%s: %s", call->name,
			     runs ? "no runner in lab/puppet.c"
				  : "a wire action or program-only call has a runner");
	}
	cr_assert_not(puppet_runs_call(CALL_COUNT));
}

Test(call_tables, give_every_system_call_quiz_answers)
{
	for (size_t i = 0; i < CALL_COUNT; i++) {
		const struct call_def *call = &catalog_calls[i];
		/* fork()'s answers are the pids the kernel gives, not a choice
		 * to predict; the wire's actions return nothing to predict; a
		 * program-only call is in no lesson to predict. */
		if (call->wire || call->program_only || call->id == CALL_FORK) {
			cr_assert_eq(quiz_call_answer_count(call->id), 0, "%s", call->name);
			continue;
		}
		cr_assert_geq(quiz_call_answer_count(call->id), 2,
			      "%s: fewer than two answers in lab/quiz.c's answer table",
			      call->name);
	}
	cr_assert_eq(quiz_call_answer_count(CALL_COUNT), 0);
}

Test(call_tables, map_every_traced_system_call_onto_a_catalog_row)
{
	bool mapped[CALL_COUNT] = { false };
	for (size_t i = 0; i < syscalls_count; i++) {
		const struct syscall_def *row = &syscalls_table[i];
		cr_assert(row->name && row->name[0], "syscalls row %zu has no name", i);
		cr_assert_gt(row->number, -1, "%s", row->name);
		cr_assert(row->call >= -1 && row->call < CALL_COUNT, "%s maps onto call %d",
			  row->name, row->call);
		cr_assert(row->call_with_address >= -1 && row->call_with_address < CALL_COUNT, "%s",
			  row->name);
		cr_assert_leq(row->arg_count, SYSCALL_MAX_ARGS, "%s", row->name);
		if (row->call >= 0) {
			cr_assert_not(catalog_calls[row->call].wire, "%s maps onto a wire action",
				      row->name);
			mapped[row->call] = true;
		}
		for (size_t k = i + 1; k < syscalls_count; k++)
			cr_assert_neq(row->number, syscalls_table[k].number,
				      "%s and %s share a number", row->name,
				      syscalls_table[k].name);
	}
	/* The calls a student's program makes most: a traced program shows them. */
	static const enum call_id traced[] = {
		CALL_SOCKET, CALL_BIND,     CALL_LISTEN, CALL_ACCEPT, CALL_CONNECT, CALL_SEND,
		CALL_RECV,   CALL_SHUTDOWN, CALL_CLOSE,  CALL_POLL,   CALL_SELECT,  CALL_EPOLL_WAIT
	};
	for (size_t i = 0; i < sizeof traced / sizeof traced[0]; i++)
		cr_assert(mapped[traced[i]], "no traced system call maps onto %s",
			  catalog_calls[traced[i]].name);
	/* A program-only call exists to be shown: a traced call must map onto it. */
	for (size_t i = 0; i < CALL_COUNT; i++)
		if (catalog_calls[i].program_only)
			cr_assert(mapped[i], "program-only %s: no traced system call maps onto it",
				  catalog_calls[i].name);
}

Test(call_tables, leave_no_socket_call_of_the_tracer_without_a_row)
{
	/* Every call shown is a step: only the fd copies (never shown) have no row. */
	for (size_t i = 0; i < syscalls_count; i++)
		if (syscalls_table[i].show != SHOW_NEVER)
			cr_assert_geq(syscalls_table[i].call, 0,
				      "%s is shown but has no catalog row", syscalls_table[i].name);
	cr_assert(catalog_calls[CALL_SOCKETPAIR].program_only);
	cr_assert(catalog_calls[CALL_SENDMMSG].program_only);
	cr_assert(catalog_calls[CALL_RECVMMSG].program_only);
	cr_assert_not(catalog_calls[CALL_SEND].program_only);
}

/* ---- finding and suggesting calls ------------------------------------- */

Test(catalog_find, finds_every_call_by_its_name)
{
	for (size_t i = 0; i < CALL_COUNT; i++)
		cr_assert_eq(find_call(catalog_calls[i].name), &catalog_calls[i], "%s",
			     catalog_calls[i].name);
}

Test(catalog_find, reads_only_the_length_it_is_given)
{
	cr_assert_eq(catalog_find_call("listen(ls, 5)", 6), &catalog_calls[CALL_LISTEN]);
	cr_assert_eq(catalog_find_call("sendall", 4), &catalog_calls[CALL_SEND]);
	cr_assert_null(catalog_find_call("listen", 3));
}

Test(catalog_find, finds_nothing_for_unknown_or_empty_names)
{
	cr_assert_null(find_call("lisen"));
	cr_assert_null(find_call("Listen"), "names are case-sensitive");
	cr_assert_null(find_call(""));
	cr_assert_null(find_call("accept4"));
}

Test(catalog_suggest, suggests_the_closest_call_within_two_edits)
{
	cr_assert_str_eq(suggest_call("lisen"), "listen");
	cr_assert_str_eq(suggest_call("sockt"), "socket");
	cr_assert_str_eq(suggest_call("acept"), "accept");
	cr_assert_str_eq(suggest_call("recvfom"), "recvfrom");
	cr_assert_str_eq(suggest_call("conect"), "connect");
	cr_assert_str_eq(suggest_call("closee"), "close");
	cr_assert_str_eq(suggest_call("setsockopts"), "setsockopt");
	cr_assert_str_eq(suggest_call("getsockame"), "getsockname");
}

Test(catalog_suggest, prefers_the_closer_of_two_candidates)
{
	cr_assert_str_eq(suggest_call("sendal"), "sendall", "one edit from sendall, two from send");
	cr_assert_str_eq(suggest_call("recvfrm"), "recvfrom");
}

Test(catalog_suggest, suggests_no_call_a_lesson_cannot_write)
{
	/* sendmmsg is one edit from "sendmsg", but program-only. */
	const char *suggestion = suggest_call("sendmsg");
	cr_assert(suggestion == NULL || strcmp(suggestion, "sendmmsg") != 0, "%s", suggestion);
	cr_assert(suggest_call("socketpar") == NULL
		  || strcmp(suggest_call("socketpar"), "socketpair") != 0);
}

Test(catalog_suggest, suggests_nothing_when_nothing_is_close)
{
	cr_assert_null(suggest_call("frobnicate"));
	cr_assert_null(suggest_call("x"));
	cr_assert_null(suggest_call(""));
	cr_assert_null(suggest_call("a_name_much_longer_than_any_call_in_the_catalog"));
}

Test(catalog_suggest, reads_only_the_length_it_is_given)
{
	cr_assert_str_eq(catalog_suggest_call("lisen(ls, 5)", 5), "listen");
}

/* ---- constants -------------------------------------------------------- */

Test(catalog_constants, round_trip_by_name_and_value_within_their_kind)
{
	cr_assert_gt(catalog_constant_count, 0);
	for (size_t i = 0; i < catalog_constant_count; i++) {
		const struct constant_def *constant = &catalog_constants[i];
		cr_assert_not_null(constant->name);
		cr_assert_lt(constant->kind, ARG_KIND_COUNT, "%s", constant->name);
		cr_assert_eq(catalog_find_constant(constant->kind, constant->name,
						   strlen(constant->name)),
			     constant, "%s", constant->name);
		cr_assert_str_eq(catalog_constant_name(constant->kind, constant->value),
				 constant->name, "%s reads back as another name of its kind",
				 constant->name);
		cr_assert_not_null(catalog_find_any_constant(constant->name,
							     strlen(constant->name)),
				   "%s", constant->name);
	}
}

Test(catalog_constants, have_the_kernel_values)
{
	static const struct {
		enum arg_kind kind;
		const char *name;
		long value;
	} known[] = {
		{ ARG_FAMILY, "AF_INET", AF_INET },
		{ ARG_FAMILY, "AF_INET6", AF_INET6 },
		{ ARG_FAMILY, "AF_UNIX", AF_UNIX },
		{ ARG_TYPE, "SOCK_STREAM", SOCK_STREAM },
		{ ARG_TYPE, "SOCK_DGRAM", SOCK_DGRAM },
		{ ARG_TYPE, "SOCK_NONBLOCK", SOCK_NONBLOCK },
		{ ARG_PROTOCOL, "IPPROTO_TCP", IPPROTO_TCP },
		{ ARG_PROTOCOL, "IPPROTO_UDP", IPPROTO_UDP },
		{ ARG_HOW, "SHUT_RD", SHUT_RD },
		{ ARG_HOW, "SHUT_WR", SHUT_WR },
		{ ARG_HOW, "SHUT_RDWR", SHUT_RDWR },
		{ ARG_LEVEL, "SOL_SOCKET", SOL_SOCKET },
		{ ARG_LEVEL, "IPPROTO_TCP", IPPROTO_TCP },
		{ ARG_LEVEL, "IPPROTO_IPV6", IPPROTO_IPV6 },
		{ ARG_OPTION, "SO_REUSEADDR", SO_REUSEADDR },
		{ ARG_OPTION, "SO_REUSEPORT", SO_REUSEPORT },
		{ ARG_OPTION, "SO_LINGER", SO_LINGER },
		{ ARG_OPTION, "SO_RCVBUF", SO_RCVBUF },
		{ ARG_OPTION, "SO_SNDBUF", SO_SNDBUF },
		{ ARG_OPTION, "TCP_NODELAY", TCP_NODELAY },
		{ ARG_OPTION, "IPV6_V6ONLY", IPV6_V6ONLY },
		{ ARG_MSG_FLAGS, "MSG_PEEK", MSG_PEEK },
		{ ARG_MSG_FLAGS, "MSG_DONTWAIT", MSG_DONTWAIT },
		{ ARG_FCNTL_CMD, "F_GETFL", F_GETFL },
		{ ARG_FCNTL_CMD, "F_SETFL", F_SETFL },
		{ ARG_FILE_FLAGS, "O_NONBLOCK", O_NONBLOCK },
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		const struct constant_def *constant =
			catalog_find_constant(known[i].kind, known[i].name, strlen(known[i].name));
		cr_assert_not_null(constant, "%s", known[i].name);
		cr_assert_eq(constant->value, known[i].value, "%s", known[i].name);
	}
}

Test(catalog_constants, are_found_only_under_their_own_kind)
{
	cr_assert_null(catalog_find_constant(ARG_FAMILY, "SO_REUSEADDR", 12));
	const struct constant_def *other = catalog_find_any_constant("SO_REUSEADDR", 12);
	cr_assert_not_null(other);
	cr_assert_eq(other->kind, ARG_OPTION);
	/* IPPROTO_TCP is both a protocol and an option level. */
	cr_assert_not_null(catalog_find_constant(ARG_PROTOCOL, "IPPROTO_TCP", 11));
	cr_assert_not_null(catalog_find_constant(ARG_LEVEL, "IPPROTO_TCP", 11));
}

Test(catalog_constants, find_nothing_for_unknown_names_or_values)
{
	cr_assert_null(catalog_find_constant(ARG_FAMILY, "AF_INETT", 8));
	cr_assert_null(catalog_find_constant(ARG_FAMILY, "AF_INET6", 7 - 1),
		       "a prefix is not the name");
	cr_assert_null(catalog_find_any_constant("NOPE", 4));
	cr_assert_null(catalog_find_any_constant("", 0));
	cr_assert_null(catalog_constant_name(ARG_HOW, 7));
	cr_assert_null(catalog_constant_name(ARG_FAMILY, -1));
}

Test(catalog_constants, name_every_argument_kind)
{
	for (int kind = 0; kind < ARG_KIND_COUNT; kind++) {
		const char *name = catalog_arg_kind_name((enum arg_kind)kind);
		cr_assert_not_null(name);
		cr_assert_str_neq(name, "?", "kind %d has no name", kind);
	}
	cr_assert_str_eq(catalog_arg_kind_name(ARG_KIND_COUNT), "?");
}

/* ---- errno names ------------------------------------------------------ */

Test(catalog_errno, reads_econnrefused_both_ways)
{
	cr_assert_str_eq(catalog_errno_name(ECONNREFUSED), "ECONNREFUSED");
	cr_assert_eq(catalog_errno_value("ECONNREFUSED", 12), ECONNREFUSED);
	cr_assert_eq(ECONNREFUSED, 111, "the value students see in Python's connect_ex on Linux");
}

Test(catalog_errno, round_trips_every_name_it_knows)
{
	size_t known = 0;
	for (int err = 1; err < 256; err++) {
		const char *name = catalog_errno_name(err);
		if (!name)
			continue;
		known++;
		cr_assert_eq(catalog_errno_value(name, strlen(name)), err, "%s", name);
	}
	cr_assert_geq(known, 40, "the socket errno names are there");
	static const char *const needed[] = { "EADDRINUSE", "EADDRNOTAVAIL", "ECONNRESET",
					      "EPIPE",      "EAGAIN",        "EINPROGRESS",
					      "ENOTCONN",   "EISCONN",       "EBADF",
					      "EINVAL",     "ETIMEDOUT" };
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
		cr_assert_geq(catalog_errno_value(needed[i], strlen(needed[i])), 1, "%s",
			      needed[i]);
}

Test(catalog_errno, reads_ewouldblock_as_eagain)
{
	cr_assert_eq(catalog_errno_value("EWOULDBLOCK", 11), EAGAIN);
	cr_assert_str_eq(catalog_errno_name(EWOULDBLOCK), "EAGAIN");
}

Test(catalog_errno, knows_nothing_of_unknown_names_or_values)
{
	cr_assert_null(catalog_errno_name(0));
	cr_assert_null(catalog_errno_name(-1));
	cr_assert_null(catalog_errno_name(4095));
	cr_assert_null(catalog_errno_name(EDOM), "an errno no socket call returns");
	cr_assert_eq(catalog_errno_value("EFOO", 4), -1);
	cr_assert_eq(catalog_errno_value("", 0), -1);
	cr_assert_eq(catalog_errno_value("ECONN", 5), -1, "a prefix is not a name");
	cr_assert_eq(catalog_errno_value("ECONNREFUSED!", 13), -1);
	cr_assert_eq(catalog_errno_value("econnrefused", 12), -1, "names are upper case");
}
