/* text: the small string helpers every frontend's words go through. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "address.h"
#include "text.h"

static const char *ipv4(const char *host, unsigned port, char *out, size_t size)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	cr_assert_eq(inet_pton(AF_INET, host, &in.sin_addr), 1);
	return text_address((const struct sockaddr *)&in, sizeof in, out, size);
}

Test(text_address, writes_ipv4_as_dotted_quad_and_port)
{
	char out[TEXT_ADDRESS_MAX];
	cr_assert_str_eq(ipv4("127.0.0.1", 65432, out, sizeof out), "127.0.0.1:65432");
	cr_assert_str_eq(ipv4("255.255.255.255", 65535, out, sizeof out), "255.255.255.255:65535");
	cr_assert_str_eq(ipv4("10.0.0.1", 0, out, sizeof out), "10.0.0.1:0");
	cr_assert_str_eq(ipv4("0.0.0.0", 80, out, sizeof out), "0.0.0.0:80");
	/* No address and no port: a listener's peer. */
	cr_assert_str_eq(ipv4("0.0.0.0", 0, out, sizeof out), "*");
}

Test(text_address, cuts_to_the_room_it_is_given)
{
	char small[8];
	cr_assert_str_eq(ipv4("192.168.100.200", 40000, small, sizeof small), "192.168");
}

Test(text_address, writes_ipv6_in_brackets)
{
	char out[TEXT_ADDRESS_MAX];
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(65432),
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	cr_assert_str_eq(text_address((const struct sockaddr *)&in6, sizeof in6, out, sizeof out),
			 "[::1]:65432");
}

Test(text_copy, copies_cuts_and_always_ends_the_string)
{
	char out[6];
	cr_assert_str_eq(text_copy(out, sizeof out, "conn"), "conn");
	cr_assert_str_eq(text_copy(out, sizeof out, "a longer name"), "a lon");
	cr_assert_str_eq(text_copy(out, sizeof out, ""), "");
}

Test(text_keep_tail, keeps_the_last_bytes_that_fit)
{
	char tail[8];
	size_t used = 0;
	text_keep_tail(tail, sizeof tail, &used, "abc", 3);
	cr_assert_str_eq(tail, "abc");
	text_keep_tail(tail, sizeof tail, &used, "defgh", 5);
	cr_assert_str_eq(tail, "bcdefgh");
	cr_assert_eq(used, 7);
	text_keep_tail(tail, sizeof tail, &used, "0123456789", 10);
	cr_assert_str_eq(tail, "3456789");
}

Test(text_append, never_writes_past_the_buffer_and_says_where_it_cut)
{
	/* A guard after the buffer: a write past it would change it. */
	struct {
		char text[16];
		char guard[16];
	} buffer;
	memset(buffer.guard, 'G', sizeof buffer.guard);
	size_t at = 0;
	buffer.text[0] = '\0';
	cr_assert_eq(text_append(buffer.text, sizeof buffer.text, &at, "%s", "ls POLLIN"), 0);
	cr_assert_eq(at, 9);
	cr_assert_eq(text_append(buffer.text, sizeof buffer.text, &at, ", %s", "conn POLLIN"), -1);
	cr_assert_str_eq(buffer.text, "ls POLLIN, c...");
	cr_assert_eq(at, sizeof buffer.text - 1);
	/* Full: later pieces add nothing, and the cut stays said. */
	cr_assert_eq(text_append(buffer.text, sizeof buffer.text, &at, "%s", "more"), -1);
	cr_assert_str_eq(buffer.text, "ls POLLIN, c...");
	for (size_t i = 0; i < sizeof buffer.guard; i++)
		cr_assert_eq(buffer.guard[i], 'G');
}

Test(text_append, a_buffer_filled_exactly_marks_the_next_piece_as_cut)
{
	char text[8];
	size_t at = 0;
	cr_assert_eq(text_append(text, sizeof text, &at, "1234567"), 0);
	cr_assert_str_eq(text, "1234567");
	cr_assert_eq(text_append(text, sizeof text, &at, ", 8"), -1);
	cr_assert_str_eq(text, "1234...");
}

Test(text_printable_length, refuses_what_a_terminal_takes_as_a_command)
{
	cr_assert_eq(text_printable_length("a", 1), 1);
	cr_assert_eq(text_printable_length("\x1b[2J", 4), 0);
	cr_assert_eq(text_printable_length("\x07", 1), 0);
	cr_assert_eq(text_printable_length("\x7f", 1), 0);
	cr_assert_eq(text_printable_length("\xc2\x9b" "31m", 5), 0);   /* C1 CSI */
	cr_assert_eq(text_printable_length("\xc3\xa9", 2), 2);         /* é */
	cr_assert_eq(text_printable_length("\xe2\x86\x92", 3), 3);     /* → */
	cr_assert_eq(text_printable_length("\xe2\x86", 2), 0);         /* cut */
	cr_assert_eq(text_printable_length("\xff", 1), 0);
}

/* What the terminal filter writes for `input`, written in pieces of `piece` bytes. */
static void filtered(const char *input, size_t piece, char *out, size_t size)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	struct text_terminal terminal;
	FILE *stream = text_terminal_open(&terminal, fds[1]);
	cr_assert_not_null(stream);
	setvbuf(stream, NULL, _IONBF, 0);   /* every piece reaches the filter as it is */
	size_t len = strlen(input);
	for (size_t at = 0; at < len; at += piece)
		fwrite(input + at, 1, len - at < piece ? len - at : piece, stream);
	cr_assert_eq(fclose(stream), 0);
	close(fds[1]);
	ssize_t n = read(fds[0], out, size - 1);
	cr_assert_geq(n, 0);
	out[n] = '\0';
	close(fds[0]);
}

Test(text_terminal, shows_control_bytes_as_question_marks_and_keeps_lines_and_utf8)
{
	char out[128];
	const char *input = "Evil \x1b]0;pwned\x07 \x1b[31mred\x1b[0m\tcaf\xc3\xa9 \xc2\x9b"
			    "1m\r\n";
	const char *expected = "Evil ?]0;pwned? ?[31mred?[0m\tcaf\xc3\xa9 ?1m?\n";
	filtered(input, 64, out, sizeof out);
	cr_assert_str_eq(out, expected);
	/* One byte at a time: a UTF-8 character cut between writes is kept whole. */
	filtered(input, 1, out, sizeof out);
	cr_assert_str_eq(out, expected);
}

Test(text_terminal, keeps_the_reason_of_a_failed_write)
{
	int fd = open("/dev/full", O_WRONLY);
	cr_assert_geq(fd, 0);
	struct text_terminal terminal;
	FILE *stream = text_terminal_open(&terminal, fd);
	fputs("a transcript nobody reads\n", stream);
	cr_assert_neq(fclose(stream), 0);
	cr_assert_eq(terminal.error, ENOSPC);
	close(fd);
}

/* getaddrinfo asks the kernel over netlink which addresses this machine
 * has: the kernel's end is port 0 (0 in a bind: the kernel chooses). */
Test(text_address, names_netlink_ends_by_port)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	char out[TEXT_ADDRESS_MAX];
	cr_assert_str_eq(text_address((const struct sockaddr *)&nl, sizeof nl, out, sizeof out),
			 "netlink port 0");
	nl.nl_pid = 4121;
	cr_assert_str_eq(text_address((const struct sockaddr *)&nl, sizeof nl, out, sizeof out),
			 "netlink port 4121");
	nl.nl_groups = 0x10;
	cr_assert_str_eq(text_address((const struct sockaddr *)&nl, sizeof nl, out, sizeof out),
			 "netlink port 4121 groups 0x10");
}

/* text_unescape reads text_escape's form back: every byte round trips. */
Test(text_unescape, reads_back_every_byte_text_escape_writes)
{
	unsigned char all[256], back[256 * 4];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	char escaped[256 * 4 + 1];
	text_escape(all, sizeof all, escaped, sizeof escaped);
	size_t bad = 0;
	long got = text_unescape(escaped, strlen(escaped), back, &bad);
	cr_assert_eq(got, 256);
	cr_expect_eq(memcmp(back, all, sizeof all), 0);
}

Test(text_unescape, says_where_an_escape_it_does_not_know_starts)
{
	static const struct {
		const char *text;
		size_t len, at;
	} bad_texts[] = {
		{ "ab\\q", 4, 2 },           /* no such letter */
		{ "\\x4", 3, 0 },            /* one hex digit */
		{ "x\\xg0", 5, 1 },          /* not hex */
		{ "tail\\", 5, 4 },          /* a backslash at the end */
		{ "a\\\0n", 4, 1 },          /* a NUL is no letter */
	};
	unsigned char out[16];
	for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++) {
		size_t bad = 99;
		cr_expect_eq(text_unescape(bad_texts[i].text, bad_texts[i].len, out, &bad), -1,
			     "%zu", i);
		cr_expect_eq(bad, bad_texts[i].at, "%zu", i);
	}
	size_t bad = 0;
	const char *utf8 = "h\xc3\xa9 \\x41\\\"";
	cr_expect_eq(text_unescape(utf8, strlen(utf8), out, &bad), 6, "UTF-8 as its bytes");
	cr_expect_eq(memcmp(out, "h\xc3\xa9 A\"", 6), 0);
}
