/* readiness: the fds a readiness call reported, and the one text they are shown by. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "readiness.h"

static struct ready_fd named(const char *name, int fd, uint32_t events)
{
	struct ready_fd entry = { .fd = fd, .events = events };
	snprintf(entry.name, sizeof entry.name, "%s", name);
	return entry;
}

static const char *text_of(const struct ready_fd *ready, size_t count)
{
	static char out[512];
	size_t len = readiness_text(ready, count, out, sizeof out);
	cr_assert_eq(len, strlen(out), "the length it returns is the text's");
	return out;
}

Test(readiness_text, names_each_fd_then_its_events_in_the_calls_order)
{
	struct ready_fd ready[] = {
		named("ls", 3, POLLIN),
		named("conn", 4, POLLIN | POLLRDHUP),
		named("conn2", 5, POLLIN | POLLHUP | POLLERR),
	};
	cr_assert_str_eq(text_of(ready, 1), "ls POLLIN");
	cr_assert_str_eq(text_of(ready, 3),
			 "ls POLLIN, conn POLLIN|POLLRDHUP, conn2 POLLIN|POLLHUP|POLLERR");
	struct ready_fd reversed[] = { ready[1], ready[0] };
	cr_assert_str_eq(text_of(reversed, 2), "conn POLLIN|POLLRDHUP, ls POLLIN");
}

Test(readiness_text, gives_an_fd_the_lesson_never_named_its_number)
{
	struct ready_fd ready[] = { named("", 7, POLLOUT), named("c", 8, POLLIN) };
	cr_assert_str_eq(text_of(ready, 2), "fd 7 POLLOUT, c POLLIN");
}

Test(readiness_text, shows_only_the_events_the_catalog_names)
{
	/* POLLNVAL has no name in the catalog: the fd stands alone. */
	struct ready_fd ready[] = { named("ls", 3, POLLNVAL), named("c", 4, POLLOUT | POLLNVAL) };
	cr_assert_str_eq(text_of(ready, 2), "ls, c POLLOUT");
	cr_assert_eq(readiness_named(POLLOUT | POLLNVAL), POLLOUT);
	cr_assert_eq(readiness_named(POLLIN | POLLPRI | POLLOUT | POLLERR | POLLHUP | POLLRDHUP),
		     POLLIN | POLLPRI | POLLOUT | POLLERR | POLLHUP | POLLRDHUP);
}

Test(readiness_text, says_nothing_for_no_fd)
{
	cr_assert_str_eq(text_of(NULL, 0), "");
	cr_assert_eq(readiness_text(NULL, 0, NULL, 0), 0);
}

Test(readiness_text, cuts_as_snprintf_does_and_says_how_long_the_whole_is)
{
	struct ready_fd ready[] = { named("ls", 3, POLLIN), named("conn", 4, POLLIN | POLLRDHUP) };
	char out[8];
	size_t whole = strlen("ls POLLIN, conn POLLIN|POLLRDHUP");
	cr_assert_eq(readiness_text(ready, 2, out, sizeof out), whole);
	cr_assert_str_eq(out, "ls POLL");
	cr_assert_eq(readiness_text(ready, 2, NULL, 0), whole);
}

Test(readiness_text, has_no_limit_on_the_list)
{
	/* Far more than any fixed buffer of a line: every fd is said. */
	struct ready_fd ready[64];
	for (int i = 0; i < 64; i++)
		ready[i] = named("connection_nr", i, POLLIN | POLLRDHUP | POLLHUP);
	char *text = readiness_text_new(ready, 64);
	cr_assert_not_null(text);
	cr_assert_eq(strlen(text), 64 * strlen("connection_nr POLLIN|POLLRDHUP|POLLHUP") + 63 * 2);
	free(text);
}

/* ---- read back ---------------------------------------------------------- */

static void assert_reads_back(const char *text)
{
	struct ready_fd *ready = NULL;
	size_t count = 99;
	cr_assert_eq(readiness_parse(text, &ready, &count), 0, "\"%s\"", text);
	char *again = readiness_text_new(ready, count);
	cr_assert_str_eq(again, text, "the text and the value disagree");
	free(again);
	free(ready);
}

Test(readiness_parse, reads_back_every_text_it_writes)
{
	assert_reads_back("ls POLLIN");
	assert_reads_back("conn1 POLLIN, conn2 POLLIN");
	assert_reads_back("conn2 POLLIN|POLLHUP|POLLERR");
	assert_reads_back("fd 7 POLLOUT, ls POLLIN|POLLOUT|POLLRDHUP|POLLHUP|POLLERR|POLLPRI");
	assert_reads_back("ls, fd 0");
	/* A socket named fd is a name: an fd's number always follows "fd ". */
	assert_reads_back("fd POLLIN, fd 3 POLLIN");
	assert_reads_back("fifteen-chars-x POLLOUT");
}

Test(readiness_parse, gives_back_the_values)
{
	struct ready_fd *ready = NULL;
	size_t count = 0;
	cr_assert_eq(readiness_parse("ls POLLIN, fd 12 POLLOUT|POLLHUP", &ready, &count), 0);
	cr_assert_eq(count, 2);
	cr_assert_str_eq(ready[0].name, "ls");
	cr_assert_eq(ready[0].fd, -1, "a name says no number");
	cr_assert_eq(ready[0].events, POLLIN);
	cr_assert_str_eq(ready[1].name, "");
	cr_assert_eq(ready[1].fd, 12);
	cr_assert_eq(ready[1].events, POLLOUT | POLLHUP);
	free(ready);
	cr_assert_eq(readiness_parse("", &ready, &count), 0);
	cr_assert_eq(count, 0);
	cr_assert_null(ready);
}

Test(readiness_parse, writes_back_every_value_it_reads)
{
	/* Every set of named events, named and numbered: value -> text -> value. */
	for (uint32_t bits = 0; bits < 1u << catalog_readiness_count; bits++) {
		uint32_t events = 0;
		for (size_t b = 0; b < catalog_readiness_count; b++)
			if (bits & (1u << b))
				events |= catalog_readiness[b].bit;
		struct ready_fd sent[] = { named("conn", -1, events), named("", 9, events) };
		char *text = readiness_text_new(sent, 2);
		struct ready_fd *back = NULL;
		size_t count = 0;
		cr_assert_eq(readiness_parse(text, &back, &count), 0, "\"%s\"", text);
		cr_assert_eq(count, 2);
		for (size_t i = 0; i < 2; i++) {
			cr_assert_str_eq(back[i].name, sent[i].name);
			cr_assert_eq(back[i].fd, sent[i].fd, "\"%s\"", text);
			cr_assert_eq(back[i].events, sent[i].events, "\"%s\"", text);
		}
		free(back);
		free(text);
	}
}

Test(readiness_parse, refuses_what_it_never_writes)
{
	const char *wrong[] = {
		"ls POLLIN,conn POLLIN",        /* the separator is ", " */
		"ls POLLIN, ",
		", ls POLLIN",
		"ls  POLLIN",
		"ls POLLIN|",
		"ls POLLIN|POLLIN",             /* an event twice */
		"ls POLLOUT|POLLIN",            /* not the catalog's order */
		"ls pollin",
		"ls EPOLLIN",
		"ls POLLNVAL",
		"fd 07 POLLIN",
		"fd 99999999999 POLLIN",
		"fd 5x POLLIN",
		"fd -1 POLLIN",
		"sixteen-chars-xx POLLIN",      /* longer than a name may be */
		" POLLIN",
	};
	for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
		struct ready_fd *ready = (struct ready_fd *)1;
		size_t count = 99;
		cr_assert_eq(readiness_parse(wrong[i], &ready, &count), -1, "\"%s\" read",
			     wrong[i]);
		cr_assert_null(ready);
		cr_assert_eq(count, 0);
	}
}
