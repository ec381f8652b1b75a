/* Tests of lesson: the bad inputs of a lesson file, each with its exact
 * `file:line:col: message`, lesson_load on files that are not lessons,
 * lessons/01-echo.lesson parsed field by field, and the pieces a student's
 * typed call goes through (typed_call_parse, address_parse).
 *
 * Texts are parsed from memory under the name "t.lesson", from a copy of
 * exactly their length: the parser must never read past the end of what it
 * was given (lesson_load's buffer has a spare byte; a fuzzer's has not), and
 * under AddressSanitizer such a read fails the test.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "catalog.h"
#include "lesson.h"
#include "lesson_po.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif

/* Most texts start the same way: line 1 title, line 2 sides, line 3 a socket. */
#define HEAD "title: T\nsides: server client\n"
#define SOCKET_STEP "step server: s = socket(AF_INET, SOCK_STREAM)\n"

/* ---- helpers ---------------------------------------------------------- */

static struct lesson *parse_bytes_exactly(const char *text, size_t len, struct diagnostics *diag)
{
	diagnostics_init(diag, "t.lesson");
	char *copy = malloc(len ? len : 1);
	cr_assert_not_null(copy);
	memcpy(copy, text, len);
	struct lesson *lesson = lesson_parse("t.lesson", copy, len, diag);
	free(copy);
	return lesson;
}

static struct lesson *parse(const char *text, struct diagnostics *diag)
{
	return parse_bytes_exactly(text, strlen(text), diag);
}

/* Every message, one a line, for an assertion's failure text. */
static const char *all_messages(const struct diagnostics *diag)
{
	static char text[8192];
	size_t at = 0;
	text[0] = '\0';
	for (size_t i = 0; i < diag->count && at < sizeof text; i++)
		at += (size_t)snprintf(text + at, sizeof text - at, "\n  %s", diag->messages[i]);
	return text;
}

/* The text is refused with exactly one problem, reading `expected`. */
static void assert_refused_len(const char *text, size_t len, const char *expected)
{
	struct diagnostics diag;
	struct lesson *lesson = parse_bytes_exactly(text, len, &diag);
	cr_assert_null(lesson, "the lesson parsed, expected: %s", expected);
	cr_assert_eq(diag.count, 1, "expected one problem, %s, got %zu:%s", expected, diag.count,
		     all_messages(&diag));
	cr_assert_str_eq(diag.messages[0], expected);
	diagnostics_done(&diag);
}

static void assert_refused(const char *text, const char *expected)
{
	assert_refused_len(text, strlen(text), expected);
}

/* The text parses with no problem at all. */
static struct lesson *parse_ok(const char *text)
{
	struct diagnostics diag;
	struct lesson *lesson = parse(text, &diag);
	cr_assert_eq(diag.count, 0, "expected no problem, got:%s", all_messages(&diag));
	cr_assert_not_null(lesson);
	diagnostics_done(&diag);
	return lesson;
}

static char *temp_path(const char *name)
{
	char *path = NULL;
	cr_assert_geq(asprintf(&path, "/tmp/socklab-test-lesson-%d-%s", (int)getpid(), name), 0);
	return path;
}

/* ---- bad calls -------------------------------------------------------- */

Test(lesson_errors, reports_unknown_call_with_did_you_mean)
{
	assert_refused(HEAD "step server: s = lisen(3)\n",
		       "t.lesson:3:18: unknown call 'lisen' (did you mean 'listen'?)");
}

Test(lesson_errors, reports_unknown_call_without_suggestion_when_nothing_is_close)
{
	assert_refused(HEAD SOCKET_STEP "step server: frobnicate(s)\n",
		       "t.lesson:4:14: unknown call 'frobnicate'");
}

Test(lesson_errors, refuses_a_call_only_a_traced_program_makes)
{
	assert_refused(HEAD "step server: socketpair(AF_UNIX, SOCK_STREAM, 0)\n",
		       "t.lesson:3:14: socketpair() is shown when a traced program makes it "
		       "(socklab step); a lesson cannot write it");
	assert_refused(HEAD SOCKET_STEP "step server: sendmmsg(s)\n",
		       "t.lesson:4:14: sendmmsg() is shown when a traced program makes it (socklab "
		       "step); a lesson cannot write it");
}

Test(lesson_errors, reports_too_few_arguments_with_usage)
{
	assert_refused(HEAD "step server: s = socket(AF_INET)\n",
		       "t.lesson:3:24: socket takes 2 or 3 arguments, got 1: socket(family, type[, "
		       "protocol])");
}

/* Too many arguments names the maximum that was broken: "takes 2 or more
 * arguments, got 4" would contradict itself. */
Test(lesson_errors, reports_too_many_arguments_with_the_maximum)
{
	assert_refused(HEAD "step server: s = socket(AF_INET, SOCK_STREAM, 0, 1)\n",
		       "t.lesson:3:24: socket takes 2 or 3 arguments, got 4: socket(family, type[, "
		       "protocol])");
}

Test(lesson_errors, reports_wrong_argument_count_of_a_one_argument_call)
{
	assert_refused(HEAD SOCKET_STEP "step server: close(s, s)\n",
		       "t.lesson:4:19: close takes 1 argument, got 2: close(sock)");
}

Test(lesson_errors, reports_no_arguments_where_one_is_needed)
{
	assert_refused(HEAD SOCKET_STEP "step server: close()\n",
		       "t.lesson:4:19: close takes 1 argument, got 0: close(sock)");
}

Test(lesson_errors, reports_a_constant_of_another_kind)
{
	assert_refused(HEAD "step server: s = socket(SO_REUSEADDR, SOCK_STREAM)\n",
		       "t.lesson:3:25: SO_REUSEADDR is a socket option (SO_REUSEADDR, SO_LINGER, "
		       "TCP_NODELAY, ...), but this argument is an address family (AF_INET, "
		       "AF_INET6, AF_UNIX)");
}

Test(lesson_errors, reports_a_constant_of_another_kind_after_a_bar)
{
	assert_refused(HEAD "step server: s = socket(AF_INET, SOCK_STREAM | MSG_PEEK)\n",
		       "t.lesson:3:48: MSG_PEEK is message flags (0, MSG_PEEK, MSG_DONTWAIT, ...), "
		       "but this argument is a socket type (SOCK_STREAM, SOCK_DGRAM)");
}

Test(lesson_errors, reports_unknown_constant)
{
	assert_refused(HEAD "step server: s = socket(AF_INETT, SOCK_STREAM)\n",
		       "t.lesson:3:25: unknown constant 'AF_INETT': expected an address family "
		       "(AF_INET, AF_INET6, AF_UNIX)");
}

Test(lesson_errors, reports_text_where_a_number_is_expected)
{
	assert_refused(HEAD SOCKET_STEP "step server: listen(s, many)\n",
		       "t.lesson:4:24: expected a number, got 'many'");
}

Test(lesson_errors, reports_socket_name_used_before_it_is_defined)
{
	assert_refused(
		HEAD "step server: listen(ls, 5)\nstep server: ls = socket(AF_INET, SOCK_STREAM)\n",
		"t.lesson:3:21: unknown socket name 'ls' (no socket has a name yet on this side)");
}

Test(lesson_errors, reports_socket_name_defined_on_the_other_side_only)
{
	assert_refused(
		HEAD "step client: c = socket(AF_INET, SOCK_STREAM)\nstep server: listen(c, 5)\n",
		"t.lesson:4:21: unknown socket name 'c' (no socket has a name yet on this side)");
}

Test(lesson_errors, lists_the_names_the_side_has_when_a_name_is_unknown)
{
	assert_refused(HEAD SOCKET_STEP "step server: listen(x, 5)\n",
		       "t.lesson:4:21: unknown socket name 'x' (s)");
}

Test(lesson_errors, reports_unknown_socket_name_in_a_state_expectation)
{
	assert_refused(HEAD SOCKET_STEP
		       "step client: c = socket(AF_INET, SOCK_STREAM)\n  expect: server c LISTEN\n",
		       "t.lesson:5:18: unknown socket name 'c' for server (s)");
}

/* A side holds at most 32 socket names (scope_add in lesson.c): the 33rd
 * is refused where it is given, not dropped so that its first use reads
 * "unknown socket name". */
Test(lesson_errors, refuses_more_names_than_a_side_can_hold_where_they_are_given)
{
	char text[4096] = HEAD;
	for (int i = 1; i <= 33; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text),
			 "step server: s%d = socket(AF_INET, SOCK_STREAM)\n", i);
	strcat(text, "step server: close(s33)\n");
	struct diagnostics diag;
	struct lesson *lesson = parse(text, &diag);
	cr_assert_null(lesson);
	cr_assert_geq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert(strncmp(diag.messages[0], "t.lesson:35:", 12) == 0,
		  "the problem is where the 33rd name is given (line 35), not where it is used: %s",
		  diag.messages[0]);
	diagnostics_done(&diag);
}

Test(lesson_errors, reports_a_name_given_to_a_call_that_returns_no_socket)
{
	assert_refused(HEAD SOCKET_STEP "step server: x = listen(s, 5)\n",
		       "t.lesson:4:14: listen() returns no socket to name: write just listen(sock, "
		       "backlog)");
}

Test(lesson_errors, reports_missing_closing_parenthesis)
{
	assert_refused(HEAD SOCKET_STEP "step server: listen(s, 5\n",
		       "t.lesson:4:25: expected ')' at the end of the call: listen(sock, backlog)");
}

Test(lesson_errors, reports_missing_opening_parenthesis)
{
	assert_refused(HEAD SOCKET_STEP "step server: listen s\n",
		       "t.lesson:4:21: expected '(' after listen");
}

/* ---- addresses -------------------------------------------------------- */

Test(lesson_errors, reports_address_without_port)
{
	assert_refused(HEAD SOCKET_STEP "step server: bind(s, 127.0.0.1)\n",
		       "t.lesson:4:22: malformed address '127.0.0.1': an address needs a port: "
		       "host:port, [v6]:port or /path");
}

Test(lesson_errors, reports_address_with_a_bad_host)
{
	assert_refused(HEAD SOCKET_STEP "step server: bind(s, 127.0.0.300:80)\n",
		       "t.lesson:4:22: malformed address '127.0.0.300:80': the host is not a "
		       "numeric IPv4 or IPv6 address");
}

Test(lesson_errors, reports_host_names_as_not_numeric)
{
	assert_refused(HEAD SOCKET_STEP "step server: bind(s, localhost:80)\n",
		       "t.lesson:4:22: malformed address 'localhost:80': the host is not a numeric "
		       "IPv4 or IPv6 address");
}

Test(lesson_errors, reports_ipv6_address_without_closing_bracket)
{
	assert_refused(HEAD SOCKET_STEP "step server: bind(s, [::1:80)\n",
		       "t.lesson:4:22: malformed address '[::1:80': an IPv6 address needs its "
		       "closing ']'");
}

Test(lesson_errors, reports_ipv6_address_without_colon_after_bracket)
{
	assert_refused(
		HEAD SOCKET_STEP "step server: bind(s, [::1]80)\n",
		"t.lesson:4:22: malformed address '[::1]80': an address needs a port after ']:'");
}

Test(lesson_errors, reports_port_that_is_not_a_number)
{
	assert_refused(HEAD SOCKET_STEP "step server: bind(s, 1.2.3.4:http)\n",
		       "t.lesson:4:22: malformed address '1.2.3.4:http': the port is not a number");
}

Test(lesson_errors, reports_port_out_of_range)
{
	assert_refused(HEAD SOCKET_STEP "step server: bind(s, 127.0.0.1:65536)\n",
		       "t.lesson:4:22: malformed address '127.0.0.1:65536': the port is out of "
		       "range (0-65535)");
}

Test(lesson_errors, reports_ipv6_port_out_of_range)
{
	assert_refused(HEAD SOCKET_STEP "step server: connect(s, [::1]:65536)\n",
		       "t.lesson:4:25: malformed address '[::1]:65536': the port is out of range "
		       "(0-65535)");
}

Test(lesson_errors, reports_negative_port_as_out_of_range)
{
	assert_refused(HEAD SOCKET_STEP "step server: bind(s, 127.0.0.1:-1)\n",
		       "t.lesson:4:22: malformed address '127.0.0.1:-1': the port is out of range "
		       "(0-65535)");
}

/* ---- directives and sides --------------------------------------------- */

Test(lesson_errors, reports_unknown_directive_with_did_you_mean)
{
	struct diagnostics diag;
	struct lesson *lesson = parse("titel: T\nsides: server client\n" SOCKET_STEP, &diag);
	cr_assert_null(lesson);
	/* The misspelt title is no title: both are true, both are said. */
	cr_assert_eq(diag.count, 2, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0],
			 "t.lesson:1:1: unknown directive 'titel' (did you mean 'title'?)");
	cr_assert_str_eq(diag.messages[1], "t.lesson:1:1: missing 'title:' line");
	diagnostics_done(&diag);
}

Test(lesson_errors, reports_unknown_directive_under_a_step_with_did_you_mean)
{
	assert_refused(HEAD SOCKET_STEP "  expct: 3\n",
		       "t.lesson:4:3: unknown directive 'expct' (did you mean 'expect'?)");
}

Test(lesson_errors, reports_unknown_directive_with_the_list_when_nothing_is_close)
{
	assert_refused(HEAD "colour: blue\n" SOCKET_STEP,
		       "t.lesson:3:1: unknown directive 'colour' (title, sides, intro, step)");
}

/* "step:" (a colon after the word) is no known directive, yet close to
 * one: the message must not offer the very word that was written. */
Test(lesson_errors, does_not_suggest_the_word_that_was_written)
{
	struct diagnostics diag;
	struct lesson *lesson =
		parse("title: T\nstep: server: s = socket(AF_INET, SOCK_STREAM)\n", &diag);
	cr_assert_null(lesson);
	cr_assert_geq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_str_neq(diag.messages[0],
			  "t.lesson:2:1: unknown directive 'step' (did you mean 'step'?)");
	diagnostics_done(&diag);
}

Test(lesson_errors, reports_step_for_an_unknown_side)
{
	assert_refused(HEAD "step serer: s = socket(AF_INET, SOCK_STREAM)\n",
		       "t.lesson:3:6: unknown side 'serer' (sides: server, client)");
}

Test(lesson_errors, reports_step_for_a_side_the_sides_line_does_not_name)
{
	assert_refused("title: T\nsides: a b\nstep server: s = socket(AF_INET, SOCK_STREAM)\n",
		       "t.lesson:3:6: unknown side 'server' (sides: a, b)");
}

Test(lesson_errors, reports_a_side_named_twice)
{
	assert_refused("title: T\nsides: server server\n" SOCKET_STEP,
		       "t.lesson:2:15: side 'server' is named twice");
}

Test(lesson_errors, reports_sides_after_the_first_step)
{
	assert_refused("title: T\n" SOCKET_STEP "sides: a b\n",
		       "t.lesson:3:1: sides: must come before the first step");
}

Test(lesson_errors, reports_missing_title)
{
	assert_refused("sides: server client\n" SOCKET_STEP, "t.lesson:1:1: missing 'title:' line");
}

Test(lesson_errors, reports_empty_title)
{
	assert_refused("title:\n" SOCKET_STEP, "t.lesson:1:7: title: is empty");
}

Test(lesson_errors, reports_lesson_without_steps)
{
	assert_refused(HEAD "intro:\n  Nothing happens.\n", "t.lesson:4:1: the lesson has no step");
}

Test(lesson_errors, reports_indented_line_outside_a_step)
{
	assert_refused(HEAD "  expect: 3\n" SOCKET_STEP,
		       "t.lesson:3:3: indented line outside a step or a text block");
}

/* ---- the file as text ------------------------------------------------- */

Test(lesson_errors, reports_empty_text)
{
	assert_refused("", "t.lesson: the file is empty");
}

Test(lesson_errors, reports_binary_text_at_its_first_nul)
{
	static const char text[] = "title: T\n\0step server: s = socket(AF_INET, SOCK_STREAM)\n";
	assert_refused_len(text, sizeof text - 1,
			   "t.lesson: a binary file, not a lesson (NUL byte at offset 9)");
}

Test(lesson_errors, reports_crlf_once_at_the_first_line)
{
	assert_refused("title: T\r\nsides: server client\r\n"
		       "step server: s = socket(AF_INET, SOCK_STREAM)\r\n",
		       "t.lesson:1:9: line ends with CRLF (\\r\\n): save the file with Unix line "
		       "endings (\\n)");
}

Test(lesson_errors, reports_over_long_line_at_its_limit)
{
	char text[2048];
	char long_say[1100];
	memset(long_say, 'a', 1001);
	long_say[1001] = '\0';
	snprintf(text, sizeof text, HEAD SOCKET_STEP "  say: %s\n", long_say);   /* 1008 bytes */
	assert_refused(text, "t.lesson:4:1001: line is longer than 1000 bytes");
}

Test(lesson_errors, accepts_a_line_of_exactly_the_limit)
{
	char text[2048];
	char say[1000];
	memset(say, 'a', 1000 - 7);
	say[1000 - 7] = '\0';
	snprintf(text, sizeof text, HEAD SOCKET_STEP "  say: %s\n", say);
	lesson_free(parse_ok(text));
}

Test(lesson_errors, reports_invalid_utf8_in_say_text_at_the_bad_byte)
{
	assert_refused(HEAD SOCKET_STEP "  say: caf\xc3\x28 au lait\n",
		       "t.lesson:4:11: invalid UTF-8");
}

Test(lesson_errors, reports_a_lone_continuation_byte_as_invalid_utf8)
{
	assert_refused(HEAD SOCKET_STEP "  say:\n    na\xc3\xafve \x80\n",
		       "t.lesson:5:12: invalid UTF-8");
}

Test(lesson_errors, reports_utf8_cut_at_the_end_of_the_line)
{
	assert_refused(HEAD SOCKET_STEP "  say: caf\xc3\n", "t.lesson:4:11: invalid UTF-8");
}

Test(lesson_errors, accepts_valid_utf8_of_every_length)
{
	struct lesson *lesson =
		parse_ok(HEAD SOCKET_STEP "  say: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x8c\n");
	cr_assert_str_eq(lesson->steps[0].say, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x8c");
	lesson_free(lesson);
}

/* Lead and continuation bits are not enough: RFC 3629 also forbids encoded
 * surrogates, overlong 3- and 4-byte forms and code points past U+10FFFF,
 * and utf8_invalid_at in lesson.c refuses each at its first byte. */
Test(lesson_errors, reports_utf8_surrogates_overlongs_and_too_large_code_points)
{
	assert_refused(HEAD SOCKET_STEP "  say: x\xed\xa0\x80\n", "t.lesson:4:9: invalid UTF-8");
	assert_refused(HEAD SOCKET_STEP "  say: x\xe0\x80\xaf\n", "t.lesson:4:9: invalid UTF-8");
	assert_refused(HEAD SOCKET_STEP "  say: x\xf0\x80\x80\xaf\n",
		       "t.lesson:4:9: invalid UTF-8");
	assert_refused(HEAD SOCKET_STEP "  say: x\xf4\x90\x80\x80\n",
		       "t.lesson:4:9: invalid UTF-8");
	assert_refused(HEAD SOCKET_STEP "  say: x\xf5\x80\x80\x80\n",
		       "t.lesson:4:9: invalid UTF-8");
}

/* The tab stops the indentation count: the line must not also be read as
 * a top-level line, which would give a second message for the same byte. */
Test(lesson_errors, reports_a_tab_in_the_indentation_once)
{
	assert_refused(HEAD SOCKET_STEP "\texpect: 3\n",
		       "t.lesson:4:1: a tab in the indentation: indent with spaces");
}

Test(lesson_errors, reports_a_tab_in_the_indentation_of_say_text_once)
{
	assert_refused(HEAD SOCKET_STEP "  say:\n    one\n  \ttwo\n",
		       "t.lesson:6:3: a tab in the indentation: indent with spaces");
}

/* A line of spaces only is blank to split_lines in lesson.c, not an
 * indented line; at the very end of the text, the check once read one byte
 * past it (a heap-buffer-overflow under ASan, found by fuzz_lesson). */
Test(lesson_errors, takes_lines_of_spaces_only_as_blank)
{
	struct lesson *lesson =
		parse_ok(HEAD "   \n" SOCKET_STEP "  expect: 3\n    \n  python: x\n");
	cr_assert_eq(lesson->step_count, 1);
	cr_assert_str_eq(lesson->steps[0].python, "x");
	lesson_free(lesson);
}

Test(lesson_errors, reads_nothing_past_a_last_line_of_spaces)
{
	lesson_free(parse_ok(HEAD "intro:\n  x\n" SOCKET_STEP "  say:\n    b\n  "));
}

/* ---- bytes, errno, states --------------------------------------------- */

Test(lesson_errors, reports_bad_escape_in_bytes_at_the_backslash)
{
	assert_refused(
		HEAD SOCKET_STEP "step server: sendall(s, \"a\\qb\")\n",
		"t.lesson:4:27: unknown escape '\\q' (use \\n \\r \\t \\0 \\\\ \\\" or \\xHH)");
}

Test(lesson_errors, reports_a_hex_escape_without_two_digits)
{
	assert_refused(
		HEAD SOCKET_STEP "step server: sendall(s, \"\\x4g\")\n",
		"t.lesson:4:26: unknown escape '\\x' (use \\n \\r \\t \\0 \\\\ \\\" or \\xHH)");
}

Test(lesson_errors, reports_bytes_without_closing_quote)
{
	assert_refused(HEAD SOCKET_STEP "step server: send(s, \"ab)\n",
		       "t.lesson:4:22: the bytes have no closing '\"'");
}

Test(lesson_errors, reports_bytes_without_quotes)
{
	assert_refused(HEAD SOCKET_STEP "step server: send(s, ab)\n",
		       "t.lesson:4:22: expected bytes in double quotes, like \"Hello, world\"");
}

Test(lesson_errors, reports_a_repeat_out_of_range)
{
	assert_refused(HEAD SOCKET_STEP "step server: send(s, \"ab\" * 0)\n",
		       "t.lesson:4:27: after the bytes, only '* N' may follow (N from 1 to 65536)");
}

Test(lesson_errors, reports_repeated_bytes_over_the_call_limit)
{
	assert_refused(HEAD SOCKET_STEP "step server: send(s, \"ab\" * 40000)\n",
		       "t.lesson:4:22: at most 65536 bytes in one call");
}

Test(lesson_errors, reports_unknown_errno_in_expect)
{
	assert_refused(HEAD SOCKET_STEP "  expect: -1 EFOO\n",
		       "t.lesson:4:14: unknown errno name 'EFOO'");
}

Test(lesson_errors, reports_unknown_state)
{
	assert_refused(HEAD SOCKET_STEP "  expect: server s LISTENING\n",
		       "t.lesson:4:20: unknown state 'LISTENING' (LISTEN, SYN-SENT, SYN-RECV, "
		       "ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, CLOSING, "
		       "TIME-WAIT, UNCONN, BOUND, gone)");
}

Test(lesson_errors, reports_within_above_its_range)
{
	assert_refused(HEAD SOCKET_STEP "  expect: server s LISTEN within 6000ms\n",
		       "t.lesson:4:27: after the state, expected 'rq N', 'wq N', 'within N ms' (1 "
		       "to 5000 ms) or 'unless its timer ran out'");
}

Test(lesson_errors, reports_within_below_its_range)
{
	assert_refused(HEAD SOCKET_STEP "  expect: server s LISTEN within 0ms\n",
		       "t.lesson:4:27: after the state, expected 'rq N', 'wq N', 'within N ms' (1 "
		       "to 5000 ms) or 'unless its timer ran out'");
}

Test(lesson, reads_unless_its_timer_ran_out_after_a_state)
{
	struct lesson *lesson = parse_ok(
		HEAD SOCKET_STEP "  expect: server s TIME-WAIT unless its timer ran out, server s "
				 "LISTEN rq 0 unless its timer ran out wq 5, server s LISTEN\n");
	cr_assert(lesson->steps[0].expects[0].unless_timer);
	cr_assert_eq(lesson->steps[0].expects[0].state, TCP_TIME_WAIT);
	cr_assert(lesson->steps[0].expects[1].unless_timer);
	cr_assert_eq(lesson->steps[0].expects[1].recv_queue, 0);
	cr_assert_eq(lesson->steps[0].expects[1].send_queue, 5);
	cr_assert_not(lesson->steps[0].expects[2].unless_timer);
	lesson_free(lesson);
}

Test(lesson_errors, reports_unless_its_timer_ran_out_on_an_unnamed_socket)
{
	assert_refused(HEAD SOCKET_STEP
		       "  expect: server (accept queue) ESTABLISHED unless its timer ran out\n",
		       "t.lesson:4:45: 'unless its timer ran out' needs a socket named by a step");
}

Test(lesson_errors, reports_a_cut_unless_its_timer_ran_out)
{
	assert_refused(HEAD SOCKET_STEP "  expect: server s TIME-WAIT unless its timer\n",
		       "t.lesson:4:30: after the state, expected 'rq N', 'wq N', 'within N ms' (1 "
		       "to 5000 ms) or 'unless its timer ran out'");
}

Test(lesson_errors, accepts_within_at_both_ends_of_its_range)
{
	struct lesson *lesson =
		parse_ok(HEAD SOCKET_STEP
			 "  expect: server s LISTEN within 1ms, server s LISTEN within 5000ms\n");
	cr_assert_eq(lesson->steps[0].expects[0].within_ms, 1);
	cr_assert_eq(lesson->steps[0].expects[1].within_ms, 5000);
	lesson_free(lesson);
}

/* The message above teaches 'within N ms', and lessons/README.md writes
 * "500ms": both forms are read. */
Test(lesson_errors, accepts_within_written_as_the_message_shows_it)
{
	struct lesson *lesson =
		parse_ok(HEAD SOCKET_STEP "  expect: server s LISTEN within 500 ms\n");
	cr_assert_eq(lesson->steps[0].expects[0].within_ms, 500);
	lesson_free(lesson);
}

Test(lesson_errors, reports_unknown_expectation)
{
	assert_refused(HEAD SOCKET_STEP "  expect: 3, bogus thing\n",
		       "t.lesson:4:14: unknown expectation 'bogus thing' (expected fd, blocks, a "
		       "number, -1 ERRNO, \"bytes\", value N, from ADDRESS, ready \"FDS\", SIDE "
		       "returns VALUE, or SIDE NAME STATE)");
}

Test(lesson_errors, reports_an_expect_line_without_expectations)
{
	assert_refused(HEAD SOCKET_STEP "  expect:\n",
		       "t.lesson:4:10: expect: needs at least one expectation");
}

Test(lesson_errors, reports_returns_blocks_as_meaningless)
{
	assert_refused(
		HEAD SOCKET_STEP "step server: c = accept(s)\n  then: server returns blocks\n",
		"t.lesson:5:24: after 'returns', expected fd, a number, -1 ERRNO or \"bytes\"");
}

Test(lesson_errors, reports_an_unknown_need)
{
	assert_refused(HEAD SOCKET_STEP "  needs: root\n",
		       "t.lesson:4:10: needs: takes 'private-netns' (the step is skipped on the "
		       "host path)");
}

/* ---- many problems ---------------------------------------------------- */

Test(lesson_errors, reports_every_problem_of_a_file_in_line_order)
{
	struct diagnostics diag;
	struct lesson *lesson = parse(HEAD
				      "step server: s = socket(AF_INETT, SOCK_STREAM)\n"   /* 3 */
				      "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
				      "  expct: 3\n"                                       /* 5 */
				      "step serer: bind(ls, 127.0.0.1:1)\n"                /* 6 */
				      "step server: bind(ls, 127.0.0.1:65536)\n"           /* 7 */
				      "step server: conn = acept(ls)\n"                    /* 8 */
				      "  expect: -1 EFOO\n"
				      "step server: listen(ls, 5)\n"
				      "  expect: server ls LISTENING\n",                   /* 11 */
				      &diag);
	cr_assert_null(lesson);
	static const char unknown_state[] =
		"t.lesson:11:21: unknown state 'LISTENING' (LISTEN, SYN-SENT, SYN-RECV, "
		"ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, CLOSING, TIME-WAIT, "
		"UNCONN, BOUND, gone)";
	static const char *const expected[] = {
		"t.lesson:3:25: unknown constant 'AF_INETT': expected an address family (AF_INET, "
		"AF_INET6, AF_UNIX)",
		"t.lesson:5:3: unknown directive 'expct' (did you mean 'expect'?)",
		"t.lesson:6:6: unknown side 'serer' (sides: server, client)",
		"t.lesson:7:23: malformed address '127.0.0.1:65536': the port is out of range "
		"(0-65535)",
		"t.lesson:8:21: unknown call 'acept' (did you mean 'accept'?)",
		unknown_state,
	};
	cr_assert_eq(diag.count, sizeof expected / sizeof expected[0], "%s", all_messages(&diag));
	for (size_t i = 0; i < diag.count; i++)
		cr_assert_str_eq(diag.messages[i], expected[i]);
	diagnostics_done(&diag);
}

/* Problems of the text itself (UTF-8, tabs, CRLF, long lines) and of the
 * lesson come in one line order, "missing title" (at 1:1) first: not the
 * text's problems first and the title's last. */
Test(lesson_errors, reports_problems_of_the_text_and_of_the_lesson_in_line_order)
{
	struct diagnostics diag;
	struct lesson *lesson = parse("sides: server client\n"
				      "step server: s = lisen(3)\n"                        /* 2 */
				      "step server: t = socket(AF_INET, SOCK_STREAM)\n"
				      "  say: caf\xff\n",                                  /* 4 */
				      &diag);
	cr_assert_null(lesson);
	cr_assert_eq(diag.count, 3, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0], "t.lesson:1:1: missing 'title:' line");
	cr_assert_str_eq(diag.messages[1],
			 "t.lesson:2:18: unknown call 'lisen' (did you mean 'listen'?)");
	cr_assert_str_eq(diag.messages[2], "t.lesson:4:11: invalid UTF-8");
	diagnostics_done(&diag);
}

/* A step that names a socket and has a mistake still records the name,
 * so its later uses add no "unknown socket name": one typo in step 1 of
 * 01-echo is one message, not 14. */
Test(lesson_errors, reports_a_typo_in_a_naming_step_once)
{
	struct diagnostics diag;
	struct lesson *lesson = parse(HEAD "step server: ls = sockt(AF_INET, SOCK_STREAM)\n"
				      "step server: bind(ls, 127.0.0.1:65432)\n"
				      "step server: listen(ls, 5)\n"
				      "  expect: server ls LISTEN\n",
				      &diag);
	cr_assert_null(lesson);
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0],
			 "t.lesson:3:19: unknown call 'sockt' (did you mean 'socket'?)");
	diagnostics_done(&diag);
}

Test(lesson_errors, keeps_problems_already_in_the_diagnostics)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "t.lesson");
	diagnostics_add(&diag, (struct source_pos){ 0, 0 }, "an earlier problem");
	struct lesson *lesson =
		lesson_parse("t.lesson", HEAD SOCKET_STEP, strlen(HEAD SOCKET_STEP), &diag);
	cr_assert_not_null(lesson, "a good lesson parses even when diag already holds a problem");
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0], "t.lesson: an earlier problem");
	lesson_free(lesson);
	diagnostics_done(&diag);
}

/* ---- lesson_load ------------------------------------------------------ */

Test(lesson_files, reports_a_missing_file_in_one_line)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "/nonexistent/x.lesson");
	cr_assert_null(lesson_load("/nonexistent/x.lesson", &diag));
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0],
			 "/nonexistent/x.lesson: cannot open: No such file or directory");
	diagnostics_done(&diag);
}

Test(lesson_files, reports_a_directory_in_one_line)
{
	struct diagnostics diag;
	diagnostics_init(&diag, SOURCE_DIR "/lessons");
	cr_assert_null(lesson_load(SOURCE_DIR "/lessons", &diag));
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0],
			 SOURCE_DIR "/lessons: is a directory, not a lesson file");
	diagnostics_done(&diag);
}

Test(lesson_files, reports_a_device_as_not_a_regular_file)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "/dev/null");
	cr_assert_null(lesson_load("/dev/null", &diag));
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0], "/dev/null: not a regular file");
	diagnostics_done(&diag);
}

/* Opening a FIFO for reading waits for a writer: lesson_load must refuse
 * it without waiting, or `socklab check some.fifo` hangs (the timeout
 * turns a hang into a failure). */
Test(lesson_files, reports_a_fifo_without_waiting_for_a_writer, .timeout = 5)
{
	char *path = temp_path("fifo.lesson");
	unlink(path);
	cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo: %s", strerror(errno));
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load(path, &diag);
	unlink(path);
	cr_assert_null(lesson);
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	char *expected = NULL;
	cr_assert_geq(asprintf(&expected, "%s: not a regular file", path), 0);
	cr_assert_str_eq(diag.messages[0], expected);
	free(expected);
	free(path);
	diagnostics_done(&diag);
}

Test(lesson_files, reports_a_file_of_two_mebibytes_in_one_line)
{
	char *path = temp_path("big.lesson");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(ftruncate(fd, 2 << 20), 0);
	close(fd);
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load(path, &diag);
	unlink(path);
	cr_assert_null(lesson);
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	char *expected = NULL;
	cr_assert_geq(asprintf(&expected,
			       "%s: too large for a lesson (2097152 bytes; at most 1048576)", path),
		      0);
	cr_assert_str_eq(diag.messages[0], expected);
	free(expected);
	free(path);
	diagnostics_done(&diag);
}

Test(lesson_files, reports_an_empty_file_in_one_line)
{
	char *path = temp_path("empty.lesson");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load(path, &diag);
	unlink(path);
	cr_assert_null(lesson);
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	char *expected = NULL;
	cr_assert_geq(asprintf(&expected, "%s: the file is empty", path), 0);
	cr_assert_str_eq(diag.messages[0], expected);
	free(expected);
	free(path);
	diagnostics_done(&diag);
}

Test(lesson_files, names_a_lesson_after_its_file)
{
	char *path = temp_path("07-udp.lesson");
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file);
	fputs("title: UDP\n" SOCKET_STEP, file);
	fclose(file);
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load(path, &diag);
	unlink(path);
	cr_assert_not_null(lesson);
	cr_assert_eq(diag.count, 0, "%s", all_messages(&diag));
	cr_assert_str_eq(lesson->path, path);
	cr_assert(strstr(lesson->name, "07-udp") != NULL && strstr(lesson->name, ".lesson") == NULL,
		  "name: %s", lesson->name);
	/* Without sides:, the sides are server and client. */
	cr_assert_eq(lesson->side_count, 2);
	cr_assert_str_eq(lesson->sides[0], "server");
	cr_assert_str_eq(lesson->sides[1], "client");
	lesson_free(lesson);
	free(path);
	diagnostics_done(&diag);
}

Test(lesson_files, frees_nothing_twice)
{
	lesson_free(NULL);
	struct diagnostics diag;
	diagnostics_init(&diag, "t.lesson");
	diagnostics_done(&diag);
	diagnostics_done(&diag);
}

/* ---- lessons/01-echo.lesson ------------------------------------------- */

static struct lesson *load_echo(void)
{
	struct diagnostics diag;
	diagnostics_init(&diag, SOURCE_DIR "/lessons/01-echo.lesson");
	struct lesson *lesson = lesson_load(SOURCE_DIR "/lessons/01-echo.lesson", &diag);
	cr_assert_eq(diag.count, 0, "%s", all_messages(&diag));
	cr_assert_not_null(lesson);
	diagnostics_done(&diag);
	return lesson;
}

Test(lesson_echo, has_its_name_title_sides_and_intro)
{
	struct lesson *lesson = load_echo();
	cr_assert_str_eq(lesson->name, "01-echo");
	cr_assert_str_eq(lesson->title, "The echo pair, one call at a time");
	cr_assert_eq(lesson->side_count, 2);
	cr_assert_str_eq(lesson->sides[0], "server");
	cr_assert_str_eq(lesson->sides[1], "client");
	cr_assert_not_null(lesson->intro);
	/* The block's indentation is gone, its line breaks stay. */
	cr_assert(strncmp(lesson->intro, "A server and a client", 21) == 0, "intro: %s",
		  lesson->intro);
	cr_assert_not_null(strstr(lesson->intro, "TCP on\n127.0.0.1 port 65432"));
	lesson_free(lesson);
}

Test(lesson_echo, has_fourteen_steps_with_their_sides_calls_and_names)
{
	static const struct {
		int side;
		enum call_id call;
		const char *name;
		int line;
	} expected[] = {
		{ 0, CALL_SOCKET, "ls", 12 }, { 0, CALL_BIND, "", 21 },
		{ 0, CALL_LISTEN, "", 28 },   { 0, CALL_ACCEPT, "conn", 36 },
		{ 1, CALL_SOCKET, "c", 44 },  { 1, CALL_CONNECT, "", 51 },
		{ 1, CALL_SENDALL, "", 68 },  { 0, CALL_RECV, "", 77 },
		{ 0, CALL_SENDALL, "", 83 },  { 1, CALL_RECV, "", 89 },
		{ 1, CALL_CLOSE, "", 95 },    { 0, CALL_RECV, "", 106 },
		{ 0, CALL_CLOSE, "", 113 },    { 0, CALL_CLOSE, "", 122 },
	};
	struct lesson *lesson = load_echo();
	cr_assert_eq(lesson->step_count, 14);
	for (size_t i = 0; i < 14; i++) {
		const struct lesson_step *step = &lesson->steps[i];
		cr_assert_eq(step->call.side, expected[i].side, "step %zu", i + 1);
		cr_assert_eq(step->call.def->id, expected[i].call, "step %zu", i + 1);
		cr_assert_str_eq(step->call.result_name, expected[i].name, "step %zu", i + 1);
		cr_assert_eq(step->line, expected[i].line, "step %zu", i + 1);
		cr_assert_eq(step->call.pos.line, expected[i].line, "step %zu", i + 1);
		cr_assert_not_null(step->say, "step %zu has say text", i + 1);
		cr_assert_not_null(step->python, "step %zu has python", i + 1);
	}
	cr_assert_str_eq(lesson->steps[0].call.text, "ls = socket(AF_INET, SOCK_STREAM)");
	cr_assert_eq(lesson->steps[0].call.args[0].number, AF_INET);
	cr_assert_eq(lesson->steps[0].call.args[1].number, SOCK_STREAM);
	cr_assert_str_eq(lesson->steps[1].call.args[0].socket_name, "ls");
	cr_assert_eq(lesson->steps[1].call.args[1].address.ss_family, AF_INET);
	cr_assert_eq(lesson->steps[2].call.args[1].number, 5);
	lesson_free(lesson);
}

Test(lesson_echo, step_three_expects_listen_with_a_backlog_of_five)
{
	struct lesson *lesson = load_echo();
	const struct lesson_step *step = &lesson->steps[2];
	cr_assert_eq(step->expect_count, 2);
	cr_assert_eq(step->expects[0].kind, EXPECT_RETURN);
	cr_assert_eq(step->expects[0].value, 0);
	const struct expectation *state = &step->expects[1];
	cr_assert_eq(state->kind, EXPECT_STATE);
	cr_assert_eq(state->side, 0);
	cr_assert_eq(state->ref, REF_NAME);
	cr_assert_str_eq(state->socket_name, "ls");
	cr_assert_eq(state->state, TCP_LISTEN);
	cr_assert_eq(state->recv_queue, 0);
	cr_assert_eq(state->send_queue, 5);
	cr_assert_eq(state->within_ms, 0);
	cr_assert_not(state->after_wake);
	cr_assert_eq(state->pos.line, 29);
	cr_assert_eq(state->pos.column, 14);
	lesson_free(lesson);
}

Test(lesson_echo, step_four_expects_accept_to_block)
{
	struct lesson *lesson = load_echo();
	cr_assert_eq(lesson->steps[3].expect_count, 1);
	cr_assert_eq(lesson->steps[3].expects[0].kind, EXPECT_BLOCKS);
	lesson_free(lesson);
}

Test(lesson_echo, step_six_expects_the_accept_queue_then_the_woken_accept)
{
	struct lesson *lesson = load_echo();
	const struct lesson_step *step = &lesson->steps[5];
	cr_assert_eq(step->expect_count, 7);
	for (size_t i = 0; i < 4; i++)
		cr_assert_not(step->expects[i].after_wake, "expect %zu", i);
	cr_assert_eq(step->expects[1].side, 1);
	cr_assert_str_eq(step->expects[1].socket_name, "c");
	cr_assert_eq(step->expects[1].state, TCP_ESTABLISHED);
	cr_assert_eq(step->expects[1].recv_queue, -1, "rq not written: not checked");
	cr_assert_eq(step->expects[2].ref, REF_ACCEPT_QUEUE);
	cr_assert_eq(step->expects[2].side, 0);
	cr_assert_eq(step->expects[2].state, TCP_ESTABLISHED);
	cr_assert_eq(step->expects[3].recv_queue, 1);
	cr_assert_eq(step->expects[3].send_queue, 5);

	/* then: server returns fd, server conn ESTABLISHED, server ls LISTEN rq 0 */
	const struct expectation *returns = &step->expects[4];
	cr_assert(returns->after_wake);
	cr_assert_eq(returns->kind, EXPECT_FD);
	cr_assert_eq(returns->woken_side, 0);
	cr_assert_eq(returns->pos.line, 53);
	cr_assert_eq(returns->pos.column, 9);
	cr_assert(step->expects[5].after_wake);
	cr_assert_eq(step->expects[5].woken_side, -1);
	cr_assert_str_eq(step->expects[5].socket_name, "conn");
	cr_assert(step->expects[6].after_wake);
	cr_assert_eq(step->expects[6].recv_queue, 0);
	cr_assert_eq(step->expects[6].send_queue, -1);
	lesson_free(lesson);
}

Test(lesson_echo, expects_bytes_timers_and_gone_sockets)
{
	struct lesson *lesson = load_echo();
	const struct expectation *received = &lesson->steps[7].expects[0];
	cr_assert_eq(received->kind, EXPECT_BYTES);
	cr_assert_eq(received->bytes_len, 12);
	cr_assert_arr_eq(received->bytes, "Hello, world", 12);
	cr_assert_eq(lesson->steps[6].call.args[1].bytes_len, 12);
	cr_assert_str_eq(lesson->steps[6].call.args[1].bytes, "Hello, world");

	const struct expectation *fin_wait = &lesson->steps[10].expects[1];
	cr_assert_eq(fin_wait->state, TCP_FIN_WAIT2);
	cr_assert_eq(fin_wait->within_ms, 500);
	cr_assert_eq(lesson->steps[10].expects[2].state, TCP_CLOSE_WAIT);

	cr_assert_eq(lesson->steps[12].expects[1].state, TCP_TIME_WAIT);
	cr_assert_str_eq(lesson->steps[12].expects[2].socket_name, "conn");
	cr_assert_eq(lesson->steps[12].expects[2].state, 0, "gone is state 0");
	lesson_free(lesson);
}

Test(lesson_echo, keeps_say_and_python_text_without_the_block_indentation)
{
	struct lesson *lesson = load_echo();
	cr_assert_str_eq(lesson->steps[0].python,
			 "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)");
	cr_assert_str_eq(lesson->steps[0].say,
			 "socket() asks the kernel for a new TCP endpoint and returns a file\n"
			 "descriptor: 3, the lowest number free (0, 1 and 2 are stdin, stdout and\n"
			 "stderr). The socket has no address and no TCP state yet: the kernel's\n"
			 "TCP tables do not list it.");
	/* A python line may be a Python comment. */
	cr_assert_str_eq(lesson->steps[10].python,
			 "# leaving the client's `with` block closes the socket");
	lesson_free(lesson);
}

Test(lesson_echo, splits_the_connect_step_into_what_each_part_shows)
{
	struct lesson *lesson = load_echo();
	/* Part 1: the handshake and the accept queue; part 2: accept() woken. */
	cr_assert_not_null(lesson->steps[5].then_say);
	cr_expect(strstr(lesson->steps[5].say, "woke") == NULL, "%s", lesson->steps[5].say);
	cr_expect(strncmp(lesson->steps[5].then_say, "The kernel woke the blocked accept()",
			  36) == 0);
	cr_expect_null(lesson->steps[0].then_say);
	lesson_free(lesson);
}

Test(lesson_text, reads_then_say_as_a_block)
{
	struct lesson *lesson =
		parse_ok(HEAD SOCKET_STEP "  say: first part\n  then-say:\n    second\n    part\n");
	cr_assert_str_eq(lesson->steps[0].say, "first part");
	cr_assert_str_eq(lesson->steps[0].then_say, "second\npart");
	lesson_free(lesson);
}

/* ---- text blocks and values ------------------------------------------- */

Test(lesson_text, joins_say_text_removing_only_the_common_indentation)
{
	struct lesson *lesson = parse_ok(HEAD SOCKET_STEP "  say: first\n"
					 "    second\n"
					 "      third\n"
					 "\n"
					 "    # kept: a '#' line inside a block is text\n"
					 "    fourth\n"
					 "  python:  x = 1   \n");
	cr_assert_str_eq(
		lesson->steps[0].say,
		"first\nsecond\n  third\n\n# kept: a '#' line inside a block is text\nfourth");
	cr_assert_str_eq(lesson->steps[0].python, "x = 1");
	lesson_free(lesson);
}

Test(lesson_text, skips_comment_lines_between_directives)
{
	struct lesson *lesson = parse_ok("# a comment\ntitle: T\n# another\n" SOCKET_STEP
					 "  # not an expectation\n  expect: 3\n");
	cr_assert_eq(lesson->steps[0].expect_count, 1);
	lesson_free(lesson);
}

Test(lesson_text, marks_steps_that_need_the_private_namespace)
{
	struct lesson *lesson =
		parse_ok(HEAD SOCKET_STEP "step server: bind(s, *:80)\n  needs: private-netns\n");
	cr_assert_not(lesson->steps[0].needs_private_netns);
	cr_assert(lesson->steps[1].needs_private_netns);
	lesson_free(lesson);
}

Test(lesson_text, decodes_escapes_in_bytes)
{
	struct lesson *lesson =
		parse_ok(HEAD SOCKET_STEP
			 "step server: sendall(s, \"\\x00\\n\\r\\t\\\\\\\"\\0\\x7f\\xFFa,b\")\n"
			 "  expect: \"\\x00\\n\"\n");
	const struct call_arg *bytes = &lesson->steps[1].call.args[1];
	cr_assert_eq(bytes->kind, ARG_BYTES);
	cr_assert_eq(bytes->bytes_len, 12);
	cr_assert_arr_eq(bytes->bytes, "\x00\n\r\t\\\"\x00\x7f\xff" "a,b", 12);
	cr_assert_eq(bytes->bytes[12], '\0', "bytes are NUL-terminated beyond their length");
	const struct expectation *expected = &lesson->steps[1].expects[0];
	cr_assert_eq(expected->kind, EXPECT_BYTES);
	cr_assert_eq(expected->bytes_len, 2);
	cr_assert_arr_eq(expected->bytes, "\x00\n", 2);
	lesson_free(lesson);
}

Test(lesson_text, repeats_bytes)
{
	struct lesson *lesson =
		parse_ok(HEAD SOCKET_STEP "step server: send(s, \"x\" * 3)\n  expect: 3\n"
					  "step server: send(s, \"ab\" * 32768)\n"
					  "step server: recv(s, 8)\n  expect: \"yz\"*2\n");
	cr_assert_eq(lesson->steps[1].call.args[1].bytes_len, 3);
	cr_assert_str_eq(lesson->steps[1].call.args[1].bytes, "xxx");
	cr_assert_eq(lesson->steps[2].call.args[1].bytes_len, 65536);
	cr_assert_eq(lesson->steps[3].expects[0].bytes_len, 4);
	cr_assert_arr_eq(lesson->steps[3].expects[0].bytes, "yzyz", 4);
	lesson_free(lesson);
}

Test(lesson_text, reads_every_kind_of_value_expectation)
{
	struct lesson *lesson =
		parse_ok(HEAD SOCKET_STEP
			 "  expect: fd\n"
			 "step server: connect(s, 127.0.0.1:1)\n"
			 "  expect: -1 ECONNREFUSED, server s CLOSE\n"
			 "step server: recv(s, 1)\n"
			 "  expect: -1 EWOULDBLOCK\n"
			 "step server: t = accept(s)\n"
			 "  expect: blocks\n"
			 "  then: server returns -1 EINVAL, server s UNCONN, server s BOUND\n");
	cr_assert_eq(lesson->steps[0].expects[0].kind, EXPECT_FD);
	cr_assert_eq(lesson->steps[1].expects[0].kind, EXPECT_ERROR);
	cr_assert_eq(lesson->steps[1].expects[0].error, ECONNREFUSED);
	cr_assert_eq(lesson->steps[1].expects[1].state, TCP_CLOSE);
	cr_assert_eq(lesson->steps[2].expects[0].error, EAGAIN, "EWOULDBLOCK is EAGAIN on Linux");
	const struct lesson_step *accept_step = &lesson->steps[3];
	cr_assert_eq(accept_step->expects[1].kind, EXPECT_ERROR);
	cr_assert_eq(accept_step->expects[1].error, EINVAL);
	cr_assert_eq(accept_step->expects[1].woken_side, 0);
	cr_assert(accept_step->expects[1].after_wake);
	cr_assert_eq(accept_step->expects[2].state, TCP_CLOSE);
	cr_assert_eq(accept_step->expects[3].state, TCP_CLOSE);
	lesson_free(lesson);
}

Test(lesson_text, reads_constants_numbers_and_bars)
{
	struct lesson *lesson = parse_ok(
		HEAD "step server: s = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDP)\n"
		     "step server: setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, 1)\n"
		     "step server: setsockopt(s, SOL_SOCKET, SO_LINGER, 1, 0)\n"
		     "step server: recv(s, -1, MSG_PEEK | MSG_DONTWAIT | 256)\n"
		     "step server: fcntl(s, F_SETFL, O_NONBLOCK)\n"
		     "step server: shutdown(3, SHUT_RDWR)\n"
		     "step server: unlink(/tmp/echo.sock)\n");
	const struct lesson_step *steps = lesson->steps;
	cr_assert_eq(steps[0].call.arg_count, 3);
	cr_assert_eq(steps[0].call.args[1].number, SOCK_DGRAM | SOCK_NONBLOCK);
	cr_assert_eq(steps[0].call.args[2].number, IPPROTO_UDP);
	cr_assert_eq(steps[1].call.args[1].number, IPPROTO_IPV6);
	cr_assert_eq(steps[2].call.arg_count, 5);
	cr_assert_eq(steps[2].call.args[2].number, SO_LINGER);
	cr_assert_eq(steps[3].call.args[1].number, -1);
	cr_assert_eq(steps[3].call.args[2].number, MSG_PEEK | MSG_DONTWAIT | 256);
	cr_assert_eq(steps[4].call.args[2].number, O_NONBLOCK);
	cr_assert_eq(steps[5].call.args[0].number, 3, "an fd written as a number");
	cr_assert_str_eq(steps[5].call.args[0].socket_name, "");
	cr_assert_str_eq(steps[6].call.args[0].bytes, "/tmp/echo.sock");
	lesson_free(lesson);
}

Test(lesson_text, knows_every_state_name)
{
	static const struct {
		const char *name;
		int state;
	} states[] = {
		{ "LISTEN", TCP_LISTEN },         { "SYN-SENT", TCP_SYN_SENT },
		{ "SYN-RECV", TCP_SYN_RECV },     { "ESTABLISHED", TCP_ESTABLISHED },
		{ "FIN-WAIT-1", TCP_FIN_WAIT1 },  { "FIN-WAIT-2", TCP_FIN_WAIT2 },
		{ "CLOSE-WAIT", TCP_CLOSE_WAIT }, { "LAST-ACK", TCP_LAST_ACK },
		{ "CLOSING", TCP_CLOSING },       { "TIME-WAIT", TCP_TIME_WAIT },
		{ "UNCONN", TCP_CLOSE },          { "CLOSE", TCP_CLOSE },
		{ "BOUND", TCP_CLOSE },           { "gone", 0 },
	};
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		cr_assert_eq(lesson_state_value(states[i].name, strlen(states[i].name)),
			     states[i].state, "%s", states[i].name);
	cr_assert_eq(lesson_state_value("LISTENING", 9), -1);
	cr_assert_eq(lesson_state_value("LISTENING", 6), TCP_LISTEN, "only len bytes are read");
	cr_assert_eq(lesson_state_value("", 0), -1);
	cr_assert_eq(lesson_state_value("listen", 6), -1, "state names are upper case");
}

/* ---- addresses -------------------------------------------------------- */

static socklen_t parse_address(const char *text, struct sockaddr_storage *out)
{
	return address_parse(text, strlen(text), out);
}

Test(address, parses_ipv4_with_port)
{
	struct sockaddr_storage storage;
	cr_assert_eq(parse_address("127.0.0.1:65432", &storage), sizeof(struct sockaddr_in));
	const struct sockaddr_in *in = (const struct sockaddr_in *)&storage;
	cr_assert_eq(in->sin_family, AF_INET);
	cr_assert_eq(ntohs(in->sin_port), 65432);
	cr_assert_eq(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
}

Test(address, parses_ipv6_in_brackets)
{
	struct sockaddr_storage storage;
	cr_assert_eq(parse_address("[::1]:80", &storage), sizeof(struct sockaddr_in6));
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&storage;
	cr_assert_eq(in6->sin6_family, AF_INET6);
	cr_assert_eq(ntohs(in6->sin6_port), 80);
	cr_assert(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
}

Test(address, parses_star_as_any_ipv4_address)
{
	struct sockaddr_storage storage;
	cr_assert_eq(parse_address("*:65432", &storage), sizeof(struct sockaddr_in));
	const struct sockaddr_in *in = (const struct sockaddr_in *)&storage;
	cr_assert_eq(in->sin_family, AF_INET);
	cr_assert_eq(ntohs(in->sin_port), 65432);
	cr_assert_eq(in->sin_addr.s_addr, htonl(INADDR_ANY));
}

Test(address, parses_any_ipv6_address_with_port_zero)
{
	struct sockaddr_storage storage;
	cr_assert_eq(parse_address("[::]:0", &storage), sizeof(struct sockaddr_in6));
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&storage;
	cr_assert_eq(in6->sin6_family, AF_INET6);
	cr_assert_eq(in6->sin6_port, 0);
	cr_assert(IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr));
	cr_assert_eq(parse_address("[*]:0", &storage), sizeof(struct sockaddr_in6));
}

Test(address, parses_relative_unix_path)
{
	struct sockaddr_storage storage;
	cr_assert_eq(parse_address("./echo.sock", &storage),
		     offsetof(struct sockaddr_un, sun_path) + 12);
	const struct sockaddr_un *un = (const struct sockaddr_un *)&storage;
	cr_assert_eq(un->sun_family, AF_UNIX);
	cr_assert_str_eq(un->sun_path, "./echo.sock");
}

Test(address, parses_absolute_unix_path)
{
	struct sockaddr_storage storage;
	cr_assert_eq(parse_address("/tmp/a.sock", &storage),
		     offsetof(struct sockaddr_un, sun_path) + 12);
	const struct sockaddr_un *un = (const struct sockaddr_un *)&storage;
	cr_assert_eq(un->sun_family, AF_UNIX);
	cr_assert_str_eq(un->sun_path, "/tmp/a.sock");
}

Test(address, parses_abstract_unix_name_without_trailing_nul)
{
	struct sockaddr_storage storage;
	cr_assert_eq(parse_address("@abstract", &storage),
		     offsetof(struct sockaddr_un, sun_path) + 9);
	const struct sockaddr_un *un = (const struct sockaddr_un *)&storage;
	cr_assert_eq(un->sun_family, AF_UNIX);
	cr_assert_eq(un->sun_path[0], '\0');
	cr_assert_arr_eq(un->sun_path + 1, "abstract", 8);
}

Test(address, reads_only_the_bytes_it_is_given)
{
	struct sockaddr_storage storage;
	cr_assert_eq(address_parse("127.0.0.1:8000", 12, &storage), sizeof(struct sockaddr_in));
	cr_assert_eq(ntohs(((const struct sockaddr_in *)&storage)->sin_port), 80);
}

Test(address, refuses_malformed_addresses)
{
	static const char *const bad[] = {
		"",
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:8x",
		"[::1",
		"[::1:80",
		"[::1]",
		"[::1]:",
		"[::1]80",
		"localhost:80",
		"::1:80",
		"1.2.3:80",
		"[127.0.0.1]:80",
		"./",
	};
	struct sockaddr_storage storage;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(parse_address(bad[i], &storage), 0, "'%s' parsed", bad[i]);
}

Test(address, refuses_a_unix_path_longer_than_sun_path)
{
	char path[200] = "/";
	memset(path + 1, 'p', sizeof(((struct sockaddr_un *)0)->sun_path));
	path[1 + sizeof(((struct sockaddr_un *)0)->sun_path)] = '\0';
	struct sockaddr_storage storage;
	cr_assert_eq(parse_address(path, &storage), 0);
}

/* ---- typed calls (free play) ------------------------------------------ */

static char two_sides[][NAME_MAX_LEN] = { "server", "client" };

Test(typed_call, parses_a_call_and_records_its_name_in_the_scope)
{
	struct name_scope scope;
	memset(&scope, 0, sizeof scope);
	struct diagnostics diag;
	diagnostics_init(&diag, "typed");
	struct typed_call call;
	static const char text[] =
		"server: ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP)";
	cr_assert_eq(typed_call_parse(text, strlen(text), (struct source_pos){ 1, 1 }, two_sides, 2,
				      &scope, &call, &diag),
		     0);
	cr_assert_eq(diag.count, 0, "%s", all_messages(&diag));
	cr_assert_eq(call.side, 0);
	cr_assert_str_eq(call.result_name, "ls");
	cr_assert_eq(call.def, &catalog_calls[CALL_SOCKET]);
	cr_assert_eq(call.arg_count, 3);
	cr_assert_eq(call.args[0].kind, ARG_FAMILY);
	cr_assert_eq(call.args[0].number, AF_INET);
	cr_assert_eq(call.args[1].number, SOCK_STREAM | SOCK_NONBLOCK);
	cr_assert_eq(call.args[2].number, IPPROTO_TCP);
	cr_assert_eq(call.args[2].pos.column, 59);
	cr_assert_str_eq(call.text,
			 "ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP)");
	cr_assert_eq(scope.count[0], 1);
	cr_assert_str_eq(scope.names[0][0], "ls");
	cr_assert_eq(scope.count[1], 0);
	typed_call_done(&call);
	typed_call_done(&call);

	static const char listen_text[] = "server: listen(ls, 5)";
	cr_assert_eq(typed_call_parse(listen_text, strlen(listen_text), (struct source_pos){ 1, 1 },
				      two_sides, 2, &scope, &call, &diag),
		     0);
	cr_assert_str_eq(call.args[0].socket_name, "ls");
	cr_assert_eq(call.args[0].number, -1);
	cr_assert_eq(call.args[1].number, 5);
	typed_call_done(&call);
	diagnostics_done(&diag);
}

Test(typed_call, refuses_a_name_of_the_other_side)
{
	struct name_scope scope;
	memset(&scope, 0, sizeof scope);
	strcpy(scope.names[0][0], "ls");
	scope.count[0] = 1;
	struct diagnostics diag;
	diagnostics_init(&diag, "typed");
	struct typed_call call;
	static const char text[] = "client: listen(ls, 5)";
	cr_assert_eq(typed_call_parse(text, strlen(text), (struct source_pos){ 1, 1 }, two_sides, 2,
				      &scope, &call, &diag),
		     -1);
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_str_eq(
		diag.messages[0],
		"typed:1:16: unknown socket name 'ls' (no socket has a name yet on this side)");
	typed_call_done(&call);
	diagnostics_done(&diag);
}

Test(typed_call, places_problems_relative_to_the_position_given)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "typed");
	struct typed_call call;
	static const char text[] = "  client: c = sockt(AF_INET, SOCK_STREAM)  ";
	cr_assert_eq(typed_call_parse(text, strlen(text), (struct source_pos){ 7, 10 }, two_sides,
				      2, NULL, &call, &diag),
		     -1);
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0],
			 "typed:7:24: unknown call 'sockt' (did you mean 'socket'?)");
	typed_call_done(&call);
	diagnostics_done(&diag);
}

Test(typed_call, accepts_any_name_without_a_scope)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "typed");
	struct typed_call call;
	static const char text[] = "client: send(whatever, \"hi\\n\", MSG_NOSIGNAL)";
	cr_assert_eq(typed_call_parse(text, strlen(text), (struct source_pos){ 1, 1 }, two_sides, 2,
				      NULL, &call, &diag),
		     0);
	cr_assert_eq(call.side, 1);
	cr_assert_str_eq(call.args[0].socket_name, "whatever");
	cr_assert_eq(call.args[1].bytes_len, 3);
	cr_assert_str_eq(call.args[1].bytes, "hi\n");
	cr_assert_eq(call.args[2].number, MSG_NOSIGNAL);
	typed_call_done(&call);
	diagnostics_done(&diag);
}

Test(typed_call, refuses_an_unknown_side_and_a_missing_side)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "typed");
	struct typed_call call;
	static const char unknown[] = "nobody: close(3)";
	cr_assert_eq(typed_call_parse(unknown, strlen(unknown), (struct source_pos){ 1, 1 },
				      two_sides, 2, NULL, &call, &diag),
		     -1);
	static const char missing[] = "close(3)";
	cr_assert_eq(typed_call_parse(missing, strlen(missing), (struct source_pos){ 1, 1 },
				      two_sides, 2, NULL, &call, &diag),
		     -1);
	cr_assert_eq(diag.count, 2, "%s", all_messages(&diag));
	cr_assert_str_eq(diag.messages[0],
			 "typed:1:1: unknown side 'nobody' (sides: server, client)");
	cr_assert_str_eq(
		diag.messages[1],
		"typed:1:1: expected 'side: call(...)', where side is one of: server, client");
	typed_call_done(&call);
	diagnostics_done(&diag);
}

Test(typed_call, frees_the_bytes_of_a_call_that_failed_late)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "typed");
	struct typed_call call;
	/* The bytes decode before the address fails: nothing may leak. */
	static const char text[] = "client: sendto(3, \"x\" * 100, 127.0.0.1)";
	cr_assert_eq(typed_call_parse(text, strlen(text), (struct source_pos){ 1, 1 }, two_sides, 2,
				      NULL, &call, &diag),
		     -1);
	cr_assert_eq(diag.count, 1, "%s", all_messages(&diag));
	cr_assert_null(call.args[1].bytes);
	typed_call_done(&call);
	diagnostics_done(&diag);
}

/* ---- program sides ---------------------------------------------------- */

Test(lesson, a_program_directive_makes_a_side_a_program)
{
	struct lesson *lesson =
		parse_ok(HEAD "program server: python3 ../examples/echo-server.py\n" SOCKET_STEP);
	cr_assert_str_eq(lesson->programs[0], "python3 ../examples/echo-server.py");
	cr_assert_null(lesson->programs[1], "the client stays a puppet");
	lesson_free(lesson);
}

Test(lesson_errors, reports_a_program_for_an_unknown_side)
{
	assert_refused(HEAD "program sever: python3 x.py\n" SOCKET_STEP,
		       "t.lesson:3:9: unknown side 'sever' (sides: must name it first)");
}

Test(lesson_errors, reports_a_program_without_a_command)
{
	assert_refused(HEAD "program server:\n" SOCKET_STEP,
		       "t.lesson:3:16: program server: needs a command to run");
}

Test(lesson_errors, reports_a_program_after_the_first_step)
{
	assert_refused(HEAD SOCKET_STEP "program client: ./c\n",
		       "t.lesson:4:1: program must come before the first step");
}

Test(lesson_errors, reports_a_program_without_a_colon)
{
	assert_refused(HEAD "program server python3 x.py\n" SOCKET_STEP,
		       "t.lesson:3:9: a program reads 'program SIDE: COMMAND'");
}

Test(lesson_errors, refuses_fork_on_a_program_side)
{
	assert_refused("title: T\nsides: server client worker\nprogram server: ./s\n" SOCKET_STEP
		       "step server: fork(worker)\n",
		       "t.lesson:5:6: fork() is for puppets: server is a program, which forks "
		       "when it will");
}

Test(lesson, a_ready_expectation_keeps_the_fds_as_quoted)
{
	struct lesson *lesson =
		parse_ok(HEAD "step server: ls = socket(AF_INET, SOCK_STREAM)\n"
			      "step server: poll(0, ls)\n"
			      "  expect: 1, ready \"ls POLLIN, conn POLLIN|POLLHUP\"\n");
	const struct expectation *e = &lesson->steps[1].expects[1];
	cr_assert_eq(e->kind, EXPECT_READY);
	cr_assert_eq(e->bytes_len, strlen("ls POLLIN, conn POLLIN|POLLHUP"));
	cr_assert(memcmp(e->bytes, "ls POLLIN, conn POLLIN|POLLHUP", e->bytes_len) == 0);
	lesson_free(lesson);
}

Test(lesson_errors, reports_a_ready_expectation_without_quotes)
{
	assert_refused(HEAD SOCKET_STEP "  expect: ready s POLLIN\n",
		       "t.lesson:4:17: after 'ready', expected the ready fds in quotes, like "
		       "\"conn1 POLLIN, ls POLLIN\"");
}
