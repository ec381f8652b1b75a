/* Tests of complete: what Tab offers on free play's command line, for the
 * side, the call, a constant or a socket name at the cursor.
 *
 * complete.c lives in lab/tui/ but includes no curses: the test compiles it
 * alone and completes against a lesson parsed from memory, as free play's
 * session holds one (sides, and the steps run so far naming sockets).
 * Lines are handed over as copies of exactly their length, without a NUL:
 * the command line's buffer is not a C string, and under AddressSanitizer
 * a read past `len` fails the test.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "complete.h"
#include "lesson.h"

/* The echo pair after a few steps: the server named ls and conn, the client c. */
static const char played[] =
	"title: Free play\n"
	"sides: server client\n"
	"step server: ls = socket(AF_INET, SOCK_STREAM)\n"
	"step server: bind(ls, 127.0.0.1:65432)\n"
	"step server: listen(ls, 1)\n"
	"step client: c = socket(AF_INET, SOCK_STREAM)\n"
	"step client: connect(c, 127.0.0.1:65432)\n"
	"step server: conn = accept(ls)\n";

static struct lesson *lesson;

static void parse_played(void)
{
	struct diagnostics diag;
	diagnostics_init(&diag, "played.lesson");
	lesson = lesson_parse("played.lesson", played, strlen(played), &diag);
	cr_assert_not_null(lesson, "%s", diag.count ? diag.messages[0] : "no message");
	diagnostics_done(&diag);
}

static void free_played(void)
{
	lesson_free(lesson);
}

TestSuite(complete_at, .init = parse_played, .fini = free_played);
TestSuite(complete_common_length, .init = parse_played, .fini = free_played);

/* Completes text[0, cursor) of a line `len` bytes long. */
static struct completion complete_line(const char *text, size_t len, size_t cursor)
{
	char *copy = malloc(len ? len : 1);
	cr_assert_not_null(copy);
	memcpy(copy, text, len);
	struct completion completion;
	complete_at(copy, len, cursor, lesson, &completion);
	free(copy);
	return completion;
}

/* With the cursor at the end of the line, where a student usually presses Tab. */
static struct completion complete_end(const char *text)
{
	return complete_line(text, strlen(text), strlen(text));
}

/* The candidates, space-separated, so a failure shows them all. */
static const char *candidates(const struct completion *completion)
{
	static char text[1024];
	size_t at = 0;
	text[0] = '\0';
	for (size_t i = 0; i < completion->count && at < sizeof text; i++)
		at += (size_t)snprintf(text + at, sizeof text - at, "%s%s", i ? " " : "",
				       completion->candidates[i]);
	return text;
}

Test(complete_at, completes_a_side_before_the_colon_and_adds_the_colon)
{
	struct completion completion = complete_end("ser");
	cr_assert_eq(completion.place, PLACE_SIDE);
	cr_assert_str_eq(candidates(&completion), "server");
	cr_assert_eq(completion.start, 0);
	cr_assert_str_eq(completion.suffix, ": ");

	completion = complete_end("  cl");
	cr_assert_str_eq(candidates(&completion), "client");
	cr_assert_eq(completion.start, 2);
}

Test(complete_at, offers_every_side_on_an_empty_line)
{
	struct completion completion = complete_end("");
	cr_assert_eq(completion.place, PLACE_SIDE);
	cr_assert_str_eq(candidates(&completion), "server client");
	cr_assert_eq(complete_common_length(&completion), 0);
}

Test(complete_at, completes_a_call_after_the_side_and_adds_the_parenthesis)
{
	struct completion completion = complete_end("server: acc");
	cr_assert_eq(completion.place, PLACE_CALL);
	cr_assert_str_eq(candidates(&completion), "accept");
	cr_assert_eq(completion.start, 8);
	cr_assert_str_eq(completion.suffix, "(");

	/* No space after the colon, and after a result's name. */
	completion = complete_end("server:acc");
	cr_assert_str_eq(candidates(&completion), "accept");
	cr_assert_eq(completion.start, 7);
	completion = complete_end("server: conn = acc");
	cr_assert_eq(completion.place, PLACE_CALL);
	cr_assert_str_eq(candidates(&completion), "accept");
	cr_assert_eq(completion.start, 15);
}

Test(complete_at, offers_every_call_after_a_result_name)
{
	struct completion completion = complete_end("server: s = ");
	cr_assert_eq(completion.place, PLACE_CALL);
	/* Every call a lesson may write: program-only calls are no candidates. */
	size_t writable = 0;
	for (size_t i = 0; i < CALL_COUNT; i++)
		writable += !catalog_calls[i].program_only;
	cr_assert_lt(writable, CALL_COUNT);
	cr_assert_eq(completion.count, writable, "%s", candidates(&completion));
	cr_assert_null(strstr(candidates(&completion), "socketpair"));
	cr_assert_eq(completion.start, 12);
}

Test(complete_at, lists_the_calls_a_prefix_shares)
{
	struct completion completion = complete_end("client: sen");
	cr_assert_str_eq(candidates(&completion), "send sendall sendto");
	cr_assert_eq(complete_common_length(&completion), strlen("send"));

	completion = complete_end("client: se");
	cr_assert_str_eq(candidates(&completion), "send sendall sendto setsockopt select");
	cr_assert_eq(complete_common_length(&completion), strlen("se"));
}

Test(complete_at, ignores_case_only_when_nothing_matches_as_typed)
{
	struct completion completion = complete_end("server: SOC");
	cr_assert_str_eq(candidates(&completion), "socket");
	completion = complete_end("server: socket(af_in");
	cr_assert_str_eq(candidates(&completion), "AF_INET AF_INET6");
	completion = complete_end("SER");
	cr_assert_str_eq(candidates(&completion), "server");
}

Test(complete_at, completes_an_address_family_to_what_the_families_share)
{
	struct completion completion = complete_end("server: s = socket(AF_IN");
	cr_assert_eq(completion.place, PLACE_ARGUMENT);
	cr_assert_eq(completion.call, &catalog_calls[CALL_SOCKET]);
	cr_assert_eq(completion.argument, 0);
	cr_assert_eq(completion.kind, ARG_FAMILY);
	cr_assert_str_eq(candidates(&completion), "AF_INET AF_INET6");
	cr_assert_eq(completion.start, strlen("server: s = socket("));
	cr_assert_eq(complete_common_length(&completion), strlen("AF_INET"));
	cr_assert_str_eq(completion.suffix, "");
}

Test(complete_at, offers_only_the_constants_of_the_arguments_kind)
{
	struct completion completion = complete_end("server: s = socket(AF_INET, SOCK_");
	cr_assert_eq(completion.argument, 1);
	cr_assert_eq(completion.kind, ARG_TYPE);
	cr_assert_str_eq(
		candidates(&completion),
		"SOCK_STREAM SOCK_DGRAM SOCK_SEQPACKET SOCK_RAW SOCK_NONBLOCK SOCK_CLOEXEC");

	/* SO_* and SOCK_* are options and types, not families. */
	completion = complete_end("server: s = socket(SO");
	cr_assert_eq(completion.place, PLACE_ARGUMENT);
	cr_assert_eq(completion.count, 0, "%s", candidates(&completion));

	completion = complete_end("server: setsockopt(ls, SOL_SOCKET, SO_RE");
	cr_assert_eq(completion.kind, ARG_OPTION);
	cr_assert_str_eq(candidates(&completion), "SO_REUSEADDR SO_REUSEPORT");
	cr_assert_eq(complete_common_length(&completion), strlen("SO_REUSE"));
}

Test(complete_at, completes_the_flag_after_a_bar)
{
	struct completion completion =
		complete_end("server: s = socket(AF_INET, SOCK_STREAM | SOCK_N");
	cr_assert_str_eq(candidates(&completion), "SOCK_NONBLOCK");
	cr_assert_eq(completion.start, strlen("server: s = socket(AF_INET, SOCK_STREAM | "));
}

Test(complete_at, offers_the_socket_names_of_the_sides_own_steps)
{
	struct completion completion = complete_end("server: listen(");
	cr_assert_eq(completion.place, PLACE_ARGUMENT);
	cr_assert_eq(completion.kind, ARG_SOCKET);
	cr_assert_str_eq(candidates(&completion), "ls conn");

	/* The client's c is not the server's to use, and the reverse. */
	completion = complete_end("server: close(c");
	cr_assert_str_eq(candidates(&completion), "conn");
	completion = complete_end("client: send(");
	cr_assert_str_eq(candidates(&completion), "c");
}

/* fork()'s argument is the side the child becomes: any side but the caller. */
Test(complete_at, offers_the_other_sides_to_fork)
{
	struct completion completion = complete_end("server: fork(");
	cr_assert_eq(completion.place, PLACE_ARGUMENT);
	cr_assert_eq(completion.kind, ARG_SIDE);
	cr_assert_str_eq(candidates(&completion), "client");
	completion = complete_end("client: fork(s");
	cr_assert_str_eq(candidates(&completion), "server");
}

Test(complete_at, offers_no_socket_names_to_a_side_the_lesson_lacks)
{
	struct completion completion = complete_end("nobody: close(");
	cr_assert_eq(completion.place, PLACE_ARGUMENT);
	cr_assert_eq(completion.count, 0, "%s", candidates(&completion));
}

Test(complete_at, finds_nothing_for_a_word_nothing_starts_with)
{
	struct completion completion = complete_end("x");
	cr_assert_eq(completion.place, PLACE_SIDE);
	cr_assert_eq(completion.count, 0);
	cr_assert_eq(complete_common_length(&completion), 0);

	completion = complete_end("server: lisen");
	cr_assert_eq(completion.place, PLACE_CALL);
	cr_assert_eq(completion.count, 0, "%s", candidates(&completion));

	/* A number: no constant of the kind, and a number is not completed. */
	completion = complete_end("server: listen(ls, ");
	cr_assert_eq(completion.kind, ARG_INT);
	cr_assert_eq(completion.count, 0, "%s", candidates(&completion));
}

Test(complete_at, completes_nothing_inside_bytes_or_after_the_call)
{
	struct completion completion = complete_end("client: send(c, \"AF_IN");
	cr_assert_eq(completion.place, PLACE_NONE);
	cr_assert_eq(completion.count, 0);

	completion = complete_end("server: close(conn) c");
	cr_assert_eq(completion.place, PLACE_NONE);
	cr_assert_eq(completion.count, 0);

	/* Past the call's last argument. */
	completion = complete_end("server: close(conn, c");
	cr_assert_eq(completion.place, PLACE_NONE);
	cr_assert_eq(completion.count, 0);

	/* An unknown call has no arguments to complete. */
	completion = complete_end("server: lisen(l");
	cr_assert_eq(completion.place, PLACE_NONE);
}

Test(complete_at, counts_arguments_past_commas_in_quotes)
{
	/* "a,b\",", with its escaped quote, is one argument: the flags are the third. */
	struct completion completion = complete_end("client: send(c, \"a,b\\\",\", MSG_P");
	cr_assert_eq(completion.place, PLACE_ARGUMENT);
	cr_assert_eq(completion.argument, 2);
	cr_assert_eq(completion.kind, ARG_MSG_FLAGS);
	cr_assert_str_eq(candidates(&completion), "MSG_PEEK");
}

Test(complete_at, reads_the_line_only_up_to_a_cursor_in_its_middle)
{
	static const char line[] = "server: s = socket(AF_IN, SOCK_STREAM)";
	size_t cursor = strlen("server: s = socket(AF_IN");
	struct completion completion = complete_line(line, strlen(line), cursor);
	cr_assert_eq(completion.argument, 0);
	cr_assert_str_eq(candidates(&completion), "AF_INET AF_INET6");
	cr_assert_eq(completion.start, strlen("server: s = socket("));

	/* Inside a call's name: the word is what lies before the cursor. */
	static const char call[] = "server: accept(ls)";
	completion = complete_line(call, strlen(call), strlen("server: ac"));
	cr_assert_eq(completion.place, PLACE_CALL);
	cr_assert_str_eq(candidates(&completion), "accept");
	cr_assert_eq(completion.start, 8);

	/* Before the colon of a whole line: a side again. */
	completion = complete_line(call, strlen(call), 3);
	cr_assert_eq(completion.place, PLACE_SIDE);
	cr_assert_str_eq(candidates(&completion), "server");
}

Test(complete_at, takes_a_cursor_past_the_end_as_the_end)
{
	static const char line[] = "server: acc";
	struct completion completion = complete_line(line, strlen(line), 4096);
	cr_assert_eq(completion.place, PLACE_CALL);
	cr_assert_str_eq(candidates(&completion), "accept");
	cr_assert_eq(completion.start, 8);
}

Test(complete_at, completes_at_the_end_of_a_long_line)
{
	/* 4 KiB of bytes in quotes before the flags. */
	char line[4200];
	size_t at = (size_t)snprintf(line, sizeof line, "client: send(c, \"");
	memset(line + at, 'x', 4096);
	at += 4096;
	at += (size_t)snprintf(line + at, sizeof line - at, "\", MSG_");
	struct completion completion = complete_line(line, at, at);
	cr_assert_eq(completion.argument, 2);
	cr_assert_str_eq(candidates(&completion),
			 "MSG_PEEK MSG_DONTWAIT MSG_WAITALL MSG_NOSIGNAL MSG_OOB");
	cr_assert_eq(completion.start, at - strlen("MSG_"));
	cr_assert_eq(complete_common_length(&completion), strlen("MSG_"));

	/* A word longer than every candidate matches none. */
	char word[600];
	at = (size_t)snprintf(word, sizeof word, "server: ");
	memset(word + at, 's', 500);
	at += 500;
	completion = complete_line(word, at, at);
	cr_assert_eq(completion.place, PLACE_CALL);
	cr_assert_eq(completion.count, 0);
	cr_assert_eq(completion.start, 8);
}

Test(complete_common_length, is_a_lone_candidates_whole_length)
{
	struct completion completion = complete_end("server: getp");
	cr_assert_str_eq(candidates(&completion), "getpeername");
	cr_assert_eq(complete_common_length(&completion), strlen("getpeername"));
}

Test(complete_common_length, stops_where_candidates_part)
{
	struct completion completion = complete_end("server: get");
	cr_assert_str_eq(candidates(&completion), "getsockopt getsockname getpeername");
	cr_assert_eq(complete_common_length(&completion), strlen("get"));

	completion = complete_end("server: epoll_");
	cr_assert_str_eq(candidates(&completion), "epoll_create1 epoll_ctl epoll_wait");
	cr_assert_eq(complete_common_length(&completion), strlen("epoll_"));

	/* Every family: they part after AF_. */
	completion = complete_end("server: socket(AF_");
	cr_assert_str_eq(candidates(&completion),
			 "AF_INET AF_INET6 AF_UNIX AF_UNSPEC AF_PACKET AF_NETLINK");
	cr_assert_eq(complete_common_length(&completion), strlen("AF_"));
}

Test(complete_common_length, is_zero_without_candidates)
{
	struct completion completion = complete_end("server: zz");
	cr_assert_eq(completion.count, 0);
	cr_assert_eq(complete_common_length(&completion), 0);
}
